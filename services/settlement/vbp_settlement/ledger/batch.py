"""SET-6 in bulk: many ledger transactions in a handful of statements.

``service.move`` is one transaction in four round trips, right for a request that moves money
once. A month's fund payables (SET-4, up to 10,000 rows) move money tens of thousands of
times; ``move_many`` opens every account in one statement, locks the accounts money leaves
in one, reads their balances in one and writes every transaction and every posting in one
each — with the same overdraft rule, applied movement by movement in order, and the same
database constraints behind it at commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from vbp_settlement.ledger import accounts, repository
from vbp_settlement.ledger.service import CAUSE_KINDS, Overdraft, Posting


@dataclass
class Movement:
    """One transaction to record: its cause and its postings."""

    cause_kind: str
    cause_ref: str
    description: str
    recorded_by: str
    postings: list[Posting] = field(default_factory=list)


@dataclass(frozen=True)
class Recorded:
    transaction_id: int
    posting_ids: list[int]


async def move_many(session: AsyncSession, movements: list[Movement]) -> list[Recorded]:
    """Record ``movements`` in order; each comes back with its transaction and posting ids."""
    for m in movements:
        if m.cause_kind not in CAUSE_KINDS or not m.cause_ref or not m.postings:
            raise ValueError(f"SET-6: a transaction names its cause and moves money, got {m}")
        for p in m.postings:
            if p.amount_fen <= 0 or p.source == p.destination:
                raise ValueError(f"SET-6: a posting moves a positive amount between two accounts, got {p}")
    if not movements:
        return []
    addresses = {a for m in movements for p in m.postings for a in (p.source, p.destination)}
    await repository.ensure_accounts(session, {a: accounts.overdraft_allowed(a) for a in addresses})
    allowed = await repository.lock_accounts(session, {p.source for m in movements for p in m.postings})
    held = await repository.balances(session, [a for a, unbounded in allowed.items() if not unbounded])
    for m in movements:
        change: dict[str, int] = {}
        for p in m.postings:
            change[p.source] = change.get(p.source, 0) - p.amount_fen
            change[p.destination] = change.get(p.destination, 0) + p.amount_fen
        for address, delta in change.items():
            if address in held:
                if held[address] + delta < 0:
                    raise Overdraft(address, held[address], -delta)
        for address, delta in change.items():
            if address in held:
                held[address] += delta
    transaction_ids = await repository.add_transactions(session, [
        dict(cause_kind=m.cause_kind, cause_ref=m.cause_ref, description=m.description, recorded_by=m.recorded_by)
        for m in movements])
    posting_ids = await repository.add_postings(session, [
        dict(transaction_id=t, source=p.source, destination=p.destination, amount_fen=p.amount_fen)
        for t, m in zip(transaction_ids, movements, strict=True) for p in m.postings])
    recorded, at = [], 0
    for t, m in zip(transaction_ids, movements, strict=True):
        recorded.append(Recorded(t, posting_ids[at:at + len(m.postings)]))
        at += len(m.postings)
    return recorded
