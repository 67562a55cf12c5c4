"""CAT-14: lots of a product held for quality.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lot_holds",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("product_id", sa.BigInteger, nullable=False),
        sa.Column("lot", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), server_default="held", nullable=False),
        sa.Column("held_by", sa.String(100), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("released_by", sa.String(100)),
        sa.Column("released_at", sa.DateTime(timezone=True)),
        sa.Column("release_reason", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_lot_holds"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_lot_holds_product_id_products"),
        sa.CheckConstraint("status IN ('held', 'released')", name="ck_lot_holds_status_known"),
    )
    op.create_index("ix_lot_holds_product_id", "lot_holds", ["product_id"])
    op.create_index("uq_lot_holds_held", "lot_holds", ["product_id", "lot"], unique=True,
                    postgresql_where=sa.text("status = 'held'"))


def downgrade() -> None:
    op.drop_table("lot_holds")
