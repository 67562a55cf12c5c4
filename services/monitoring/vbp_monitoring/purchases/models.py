"""What monitoring knows of purchases, from contracts' events only (MON-1 and later rules):
the effective agreements with their items, the accepted delivery lines and the returns,
each with its date, so every figure answers for any ``as_of``."""

from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, ForeignKeyConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vbp_monitoring.models import Base


class Agreement(Base):
    """The latest effective version of an agreement (a later version supersedes, CON-2)."""

    __tablename__ = "agreements"

    agreement_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    version_no: Mapped[int] = mapped_column(Integer)
    batch_code: Mapped[str] = mapped_column(String(64), index=True)
    agreement_year: Mapped[int] = mapped_column(Integer)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    manufacturer_code: Mapped[str] = mapped_column(String(18), index=True)


class AgreementItem(Base):
    """One product's agreed volume in an agreement (约定采购量)."""

    __tablename__ = "agreement_items"

    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.agreement_id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    agreed_quantity: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (CheckConstraint("agreed_quantity >= 0", name="agreed_not_negative"),)


class AcceptedLine(Base):
    """An accepted delivery line: the purchase recorded (CON-5)."""

    __tablename__ = "accepted_lines"

    delivery_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hospital_code: Mapped[str] = mapped_column(String(64))
    batch_code: Mapped[str] = mapped_column(String(64))
    agreement_year: Mapped[int] = mapped_column(Integer)
    manufacturer_code: Mapped[str] = mapped_column(String(18))
    product_id: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[int] = mapped_column(BigInteger)
    accepted_on: Mapped[date] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_accepted_lines_item", "batch_code", "hospital_code", "product_id", "agreement_year"),
    )


class LineReturn(Base):
    """退货 of an accepted line, on its day: progress counts accepted net of returns."""

    __tablename__ = "line_returns"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(BigInteger)
    line_no: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    returned_on: Mapped[date] = mapped_column(Date)

    __table_args__ = (
        ForeignKeyConstraint(["delivery_id", "line_no"], ["accepted_lines.delivery_id", "accepted_lines.line_no"]),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_line_returns_line", "delivery_id", "line_no"),
    )
