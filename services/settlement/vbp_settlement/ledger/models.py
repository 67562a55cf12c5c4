"""The double-entry ledger every movement of settlement money is written to (SET-6).

Modelled on ``formancehq/ledger``: a transaction is a set of postings ``{source,
destination, amount}`` between named accounts, so every transaction sums to zero by
construction. As TigerBeetle's ``debits_must_not_exceed_credits``, only an account flagged
``overdraft_allowed`` (the funds, where money comes from, and a hospital's purchases, where
its debts to companies come from) may go negative;
every other account refuses an overdraft. The database enforces it (migration 0005):
``amount_fen > 0``, foreign keys to the transaction and both accounts, a transaction has at
least one posting and no bounded account ends a transaction negative (constraint triggers
deferred to commit), and postings and transactions are append-only — a correction is a new
transaction the other way, tied to its own cause. Balances are sums of postings
(repository.balances), never a counter kept beside them.

Account addresses (accounts.py builds them, with what each means): ``fund:employee``,
``fund:resident`` and ``hospital:<code>:purchases`` (unbounded); ``hospital:<code>:prepayment``,
``:settled``, ``:direct_settled``, ``:refund_due``, ``:payable``; ``company:<credit code>:receivable``
and ``:received``.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from vbp_settlement.models import Base
from vbpkit.runtime.clock import recorded_now


class LedgerAccount(Base):
    """A named account; its balance is Σ postings into it − Σ postings out of it."""

    __tablename__ = "ledger_accounts"

    address: Mapped[str] = mapped_column(String(128), primary_key=True)
    overdraft_allowed: Mapped[bool] = mapped_column(
        Boolean, comment="only the outside world's sources (the funds) may go negative (SET-6)")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LedgerTransaction(Base):
    """One movement of money and why it happened: the request or event that caused it (SET-6)."""

    __tablename__ = "ledger_transactions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    cause_kind: Mapped[str] = mapped_column(String(16), comment="request | event | check")
    cause_ref: Mapped[str] = mapped_column(String(128), index=True,
                                           comment="the X-Request-ID, the event id or the check's run")
    description: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=recorded_now, server_default=func.now())

    __table_args__ = (
        CheckConstraint("cause_kind IN ('request', 'event', 'check')", name="cause_kind_known"),
        CheckConstraint("length(cause_ref) > 0", name="cause_ref_present"),
    )


class LedgerPosting(Base):
    """An amount moved from one account to another inside a transaction."""

    __tablename__ = "ledger_postings"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    source: Mapped[str] = mapped_column(ForeignKey("ledger_accounts.address"), index=True)
    destination: Mapped[str] = mapped_column(ForeignKey("ledger_accounts.address"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("source <> destination", name="source_not_destination"),
    )
