"""CAT-11 医保支付标准: each product's payment standards, append-only. The standard on a day is
the latest row effective on or before it; a row's end is the day before the next one's start."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from vbp_catalog.models import Base

RULES = ("winning_price", "listing_price", "fixed", "frozen")


class PaymentStandard(Base):
    __tablename__ = "payment_standards"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    effective_from: Mapped[date] = mapped_column(Date)
    rule: Mapped[str] = mapped_column(String(16), comment="winning_price | listing_price | fixed | frozen")
    amount_fen: Mapped[int | None] = mapped_column(BigInteger, comment="NULL while a frozen standard has no value")
    category: Mapped[str | None] = mapped_column(String(4), comment="甲类 | 乙类; NULL until set")
    in_catalogue: Mapped[bool] = mapped_column(Boolean)
    excluded_content: Mapped[bool] = mapped_column(Boolean, comment="除外内容: billed apart from the service")
    pinned: Mapped[bool] = mapped_column(Boolean, comment="set by the insurer: price changes do not move it")
    reason: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint("rule IN ('winning_price', 'listing_price', 'fixed', 'frozen')", name="rule_known"),
        CheckConstraint("category IN ('甲类', '乙类')", name="category_known"),
        CheckConstraint("amount_fen IS NOT NULL OR rule = 'frozen'", name="amount_unless_frozen"),
        Index("ix_payment_standards_product", "product_id", "effective_from", "id"),
    )
