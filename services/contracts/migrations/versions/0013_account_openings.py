"""CON-10: distributors' account requests at hospitals, and their openings.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_openings",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("distributor_code", sa.String(18), nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False, comment="the batch of the agreement it serves"),
        sa.Column("requested_on", sa.Date, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("requested_by", sa.String(100), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("opened_on", sa.Date),
        sa.Column("opened_by", sa.String(100)),
        sa.PrimaryKeyConstraint("id", name="pk_account_openings"),
    )
    op.create_index("ix_account_openings_distributor_code", "account_openings", ["distributor_code"])
    op.create_index("ix_account_openings_hospital_code", "account_openings", ["hospital_code"])
    op.create_index("uq_account_openings_open", "account_openings", ["distributor_code", "hospital_code"],
                    unique=True, postgresql_where=sa.text("opened_on IS NULL"))


def downgrade() -> None:
    op.drop_table("account_openings")
