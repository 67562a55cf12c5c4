from sqlalchemy import BigInteger, ForeignKeyConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vbp_settlement.models import Base


class BillingLine(Base):
    """Settlement's billing view of an accepted line (the kit's AcceptedLines projection keeps the
    line itself): who invoices it, for which order and agreement (SET-1). ``biller_code`` is
    decided by :func:`vbp_settlement.deliveries.service.biller_of`."""

    __tablename__ = "billing_lines"

    delivery_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    biller_code: Mapped[str] = mapped_column(String(18), index=True, comment="the company that invoices it (SET-1)")
    order_id: Mapped[int] = mapped_column(BigInteger)
    agreement_id: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        ForeignKeyConstraint(["delivery_id", "line_no"], ["accepted_lines.delivery_id", "accepted_lines.line_no"]),
    )
