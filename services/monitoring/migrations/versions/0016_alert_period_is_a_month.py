"""Issue 23: an alert's period is the month (YYYY-MM) its facts belong to, for every kind. MON-3
onboarding alerts said "onboarding" and CAT-12 pre-listing alerts the deadline's date: they
become the check day's month (two months after the batch's start) and the deadline's month.
The unique key (kind, period, batch, hospital, company, product, group) keeps each alert once:
one check day per batch, one deadline per product.

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("alerts", "period", existing_type=sa.String(16),
                    comment="the month (YYYY-MM) the alert's facts belong to (AlertRead.period)")
    op.execute("UPDATE alerts SET period = substr(period, 1, 7) WHERE kind = 'pre_listing'")
    op.execute("""UPDATE alerts SET period = to_char(b.starts_on + interval '2 months', 'YYYY-MM')
                  FROM batch_view b WHERE alerts.kind = 'onboarding' AND alerts.batch_code = b.code""")


def downgrade() -> None:
    op.alter_column("alerts", "period", existing_type=sa.String(16),
                    comment="the month (YYYY-MM) or the check it belongs to")
    op.execute("UPDATE alerts SET period = 'onboarding' WHERE kind = 'onboarding'")
    op.execute("UPDATE alerts SET period = details->>'deadline_on' WHERE kind = 'pre_listing' "
               "AND details->>'deadline_on' IS NOT NULL")  # the explain keeps the deadline's date
