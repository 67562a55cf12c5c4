"""MON-14: companies' complaints of obstruction by hospitals, and the insurers' findings.

Revision ID: 0026
Revises: 0025
"""
import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "obstructions",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("region_code", sa.String(6), comment="the hospital's, when reported"),
        sa.Column("company_code", sa.String(18), nullable=False, comment="the company that reported it"),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False, comment="cost_control_pretext | spec_or_quantity_limit | "
                  "unreported_volume | deposit | account_refused | extra_fees | side_agreement"),
        sa.Column("occurred_on", sa.Date, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), server_default="open", nullable=False,
                  comment="open | substantiated | unsubstantiated"),
        sa.Column("reported_by", sa.String(100), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("finding", sa.Text, comment="the insurer's words"),
        sa.Column("found_by", sa.String(100)),
        sa.Column("found_on", sa.Date),
        sa.CheckConstraint("status IN ('open', 'substantiated', 'unsubstantiated')",
                           name="ck_obstructions_status_known"),
        sa.CheckConstraint("kind IN ('cost_control_pretext', 'spec_or_quantity_limit', 'unreported_volume', "
                           "'deposit', 'account_refused', 'extra_fees', 'side_agreement')",
                           name="ck_obstructions_kind_known"),
        sa.PrimaryKeyConstraint("id", name="pk_obstructions"),
    )
    op.create_index("ix_obstructions_hospital_code", "obstructions", ["hospital_code"])
    op.create_index("ix_obstructions_company_code", "obstructions", ["company_code"])


def downgrade() -> None:
    op.drop_table("obstructions")
