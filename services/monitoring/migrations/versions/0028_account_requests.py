"""CON-10: distributors' account requests at hospitals, and the working-day years ops loaded in
catalog (vbpkit.projections.CalendarView) they are counted in.

Revision ID: 0028
Revises: 0027
"""
import sqlalchemy as sa
from alembic import op
from vbpkit.projections.migrations import create_calendar_year_view_v1, drop_calendar_year_view_v1

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_calendar_year_view_v1()
    op.create_table(
        "account_request_facts",
        sa.Column("request_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("distributor_code", sa.String(18), nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("requested_on", sa.Date, nullable=False),
        sa.Column("opened_on", sa.Date),
        sa.PrimaryKeyConstraint("request_id", name="pk_account_request_facts"),
    )


def downgrade() -> None:
    op.drop_table("account_request_facts")
    drop_calendar_year_view_v1()
