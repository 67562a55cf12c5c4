"""The accepted lines become the kit's AcceptedLines projection (issue 22): the same table as
monitoring's, returns only as dated rows — what a line has left is derived, no second counter —
and who invoices each line (SET-1) in settlement's own billing view, ``billing_lines``.

Nothing is lost: every line keeps its row; its biller, order and agreement move to
``billing_lines``; a return counted before returns were dated (0007) becomes a dated return on
the day its line was accepted, the only day known for it.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "billing_lines",
        sa.Column("delivery_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("line_no", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("biller_code", sa.String(18), nullable=False, comment="the company that invoices it (SET-1)"),
        sa.Column("order_id", sa.BigInteger, nullable=False),
        sa.Column("agreement_id", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("delivery_id", "line_no", name="pk_billing_lines"),
        sa.ForeignKeyConstraint(["delivery_id", "line_no"], ["accepted_lines.delivery_id", "accepted_lines.line_no"],
                                name="fk_billing_lines_delivery_id_accepted_lines"),
    )
    op.create_index("ix_billing_lines_biller_code", "billing_lines", ["biller_code"])
    op.execute("INSERT INTO billing_lines (delivery_id, line_no, biller_code, order_id, agreement_id) "
               "SELECT delivery_id, line_no, biller_code, order_id, agreement_id FROM accepted_lines")
    op.execute("""
        INSERT INTO accepted_line_returns (delivery_id, line_no, quantity, returned_on)
        SELECT a.delivery_id, a.line_no, a.returned_quantity - coalesce(r.quantity, 0), a.accepted_on
        FROM accepted_lines a
        LEFT JOIN (SELECT delivery_id, line_no, sum(quantity) AS quantity FROM accepted_line_returns
                   GROUP BY delivery_id, line_no) r USING (delivery_id, line_no)
        WHERE a.returned_quantity > coalesce(r.quantity, 0)
        ORDER BY a.delivery_id, a.line_no""")

    op.drop_constraint("ck_accepted_lines_returned_le_accepted", "accepted_lines", type_="check")
    op.drop_constraint("ck_accepted_lines_accepted_positive", "accepted_lines", type_="check")
    op.drop_index("ix_accepted_lines_hospital_code", table_name="accepted_lines")
    op.drop_index("ix_accepted_lines_biller_code", table_name="accepted_lines")
    for column in ("returned_quantity", "biller_code", "order_id", "agreement_id", "distributor_code"):
        op.drop_column("accepted_lines", column)
    op.alter_column("accepted_lines", "accepted_quantity", new_column_name="quantity")
    op.add_column("accepted_lines", sa.Column("agreement_year", sa.Integer, nullable=True))
    op.alter_column("accepted_lines", "as_of", existing_type=sa.DateTime(timezone=True),
                    comment="occurred_at of the acceptance event that recorded the line")
    op.create_check_constraint("ck_accepted_lines_quantity_positive", "accepted_lines", "quantity > 0")
    op.create_index("ix_accepted_lines_item", "accepted_lines",
                    ["batch_code", "hospital_code", "product_id", "agreement_year"])

    op.rename_table("accepted_line_returns", "line_returns")
    op.execute("ALTER SEQUENCE accepted_line_returns_id_seq RENAME TO line_returns_id_seq")
    for old, new in (("pk_accepted_line_returns", "pk_line_returns"),
                     ("fk_accepted_line_returns_delivery_id_accepted_lines", "fk_line_returns_delivery_id_accepted_lines"),
                     ("ck_accepted_line_returns_quantity_positive", "ck_line_returns_quantity_positive")):
        op.execute(f"ALTER TABLE line_returns RENAME CONSTRAINT {old} TO {new}")
    op.execute("ALTER INDEX ix_accepted_line_returns_line RENAME TO ix_line_returns_line")


def downgrade() -> None:
    """Back to settlement's own accepted lines: the counter summed from the dated returns, the
    biller, order and agreement from the billing view (the distributor is the biller, SET-1)."""
    op.execute("ALTER INDEX ix_line_returns_line RENAME TO ix_accepted_line_returns_line")
    for old, new in (("pk_accepted_line_returns", "pk_line_returns"),
                     ("fk_accepted_line_returns_delivery_id_accepted_lines", "fk_line_returns_delivery_id_accepted_lines"),
                     ("ck_accepted_line_returns_quantity_positive", "ck_line_returns_quantity_positive")):
        op.execute(f"ALTER TABLE line_returns RENAME CONSTRAINT {new} TO {old}")
    op.execute("ALTER SEQUENCE line_returns_id_seq RENAME TO accepted_line_returns_id_seq")
    op.rename_table("line_returns", "accepted_line_returns")

    op.drop_index("ix_accepted_lines_item", table_name="accepted_lines")
    op.drop_constraint("ck_accepted_lines_quantity_positive", "accepted_lines", type_="check")
    op.drop_column("accepted_lines", "agreement_year")
    op.alter_column("accepted_lines", "quantity", new_column_name="accepted_quantity")
    for column, kind in (("order_id", sa.BigInteger), ("biller_code", sa.String(18)),
                         ("distributor_code", sa.String(18)), ("agreement_id", sa.BigInteger),
                         ("returned_quantity", sa.Integer)):
        op.add_column("accepted_lines", sa.Column(column, kind, nullable=True))
    op.execute("""
        UPDATE accepted_lines a SET order_id = b.order_id, biller_code = b.biller_code,
               distributor_code = b.biller_code, agreement_id = b.agreement_id,
               returned_quantity = coalesce((SELECT sum(r.quantity) FROM accepted_line_returns r
                                             WHERE r.delivery_id = a.delivery_id AND r.line_no = a.line_no), 0)
        FROM billing_lines b WHERE b.delivery_id = a.delivery_id AND b.line_no = a.line_no""")
    for column in ("order_id", "biller_code", "distributor_code", "agreement_id", "returned_quantity"):
        op.alter_column("accepted_lines", column, nullable=False)
    op.create_check_constraint("ck_accepted_lines_accepted_positive", "accepted_lines", "accepted_quantity > 0")
    op.create_check_constraint("ck_accepted_lines_returned_le_accepted", "accepted_lines",
                               "returned_quantity BETWEEN 0 AND accepted_quantity")
    op.create_index("ix_accepted_lines_hospital_code", "accepted_lines", ["hospital_code"])
    op.create_index("ix_accepted_lines_biller_code", "accepted_lines", ["biller_code"])
    op.drop_table("billing_lines")
