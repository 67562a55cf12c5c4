"""The accepted lines and their returns become the kit's AcceptedLines projection (issue 22),
shared with settlement: the same tables as before, each line now with the ``occurred_at`` of the
event that recorded it — the monthly roll-up counts a line once, for the event that recorded it.
Lines from before know no time: the epoch. The year may be NULL in the shared table (settlement's
lines from before it kept one); monitoring's lines all have it.

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accepted_lines", sa.Column(
        "as_of", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("'epoch'::timestamptz"),
        comment="occurred_at of the acceptance event that recorded the line"))
    op.alter_column("accepted_lines", "as_of", server_default=None)
    op.alter_column("accepted_lines", "agreement_year", existing_type=sa.Integer, nullable=True)


def downgrade() -> None:
    op.alter_column("accepted_lines", "agreement_year", existing_type=sa.Integer, nullable=False)
    op.drop_column("accepted_lines", "as_of")
