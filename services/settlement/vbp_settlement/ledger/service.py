"""SET-6: every movement of money is one balanced ledger transaction tied to its cause.

``move_many`` is the only way money moves in settlement, ``move`` being one movement of it. It
opens the accounts the movements name, locks the ones money leaves, and refuses an overdraft of
a bounded account with a 409 naming the account — the same rule the database enforces again at
commit (migration 0005), so a bug that skips this check still cannot leave a hospital's
prepayment below zero.

A month's fund payables (SET-4, up to 10,000 rows) move money tens of thousands of times, so
the statements are set-based whatever the count: every account opened in one statement, the
accounts money leaves locked in one, their balances read in one, every transaction and every
posting written in one each (binary COPY), the overdraft rule applied movement by movement in
order. A request that moves money once goes the same way, so the rules exist once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.web import request_id
from vbpkit.web.identity import Principal, Role
from vbpkit.domain.money import format_yuan
from vbpkit.web.parties import OVERSEERS
from vbpkit.web.problems import Problem

from vbp_settlement.ledger import accounts, repository

CAUSE_KINDS = ("request", "event", "check")


def request_cause() -> str:
    """SET-6: a movement made by a request names it by its X-Request-ID (``cause_kind``
    "request"). Outside a request (a script, a test in process) there is none, so a unique
    stand-in is named instead: a cause is never empty and never shared by accident."""
    cause = request_id.current.get()
    return cause if cause != "-" else f"unidentified:{uuid.uuid4()}"


@dataclass(frozen=True)
class Posting:
    source: str
    destination: str
    amount_fen: int


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
    """A movement as recorded: its transaction and its postings' ids, in the movement's order."""

    transaction_id: int
    posting_ids: list[int]


class Overdraft(Problem):
    """A bounded account would go below zero (SET-6, TigerBeetle's debits_must_not_exceed_credits)."""

    def __init__(self, address: str, balance_fen: int, wanted_fen: int) -> None:
        super().__init__(409, detail=(
            f"account {address} holds {format_yuan(balance_fen)}; moving {format_yuan(wanted_fen)} out of it "
            "would overdraw it (SET-6)"))
        self.address = address


def refuse_malformed(movement: Movement) -> None:
    """SET-6: a transaction names its cause and moves money — at least one posting, each of a
    positive amount between two different accounts."""
    if movement.cause_kind not in CAUSE_KINDS:
        raise ValueError(f"SET-6: unknown cause kind {movement.cause_kind!r}")
    if not movement.cause_ref:
        raise ValueError("SET-6: every ledger transaction names its cause")
    if not movement.postings:
        raise ValueError("SET-6: a transaction moves money; it has at least one posting")
    for p in movement.postings:
        if p.amount_fen <= 0 or p.source == p.destination:
            raise ValueError(f"SET-6: a posting moves a positive amount between two accounts, got {p}")


async def move(session: AsyncSession, *, cause_kind: str, cause_ref: str | None, description: str,
               recorded_by: str, postings: list[Posting]) -> Recorded:
    """Record one transaction; the caller's session commits it with the state change it explains."""
    [recorded] = await move_many(session, [Movement(cause_kind, cause_ref, description, recorded_by, postings)])
    return recorded


async def move_many(session: AsyncSession, movements: list[Movement]) -> list[Recorded]:
    """Record ``movements`` in order; each comes back with its transaction and posting ids."""
    for m in movements:
        refuse_malformed(m)
    if not movements:
        return []
    addresses = {a for m in movements for p in m.postings for a in (p.source, p.destination)}
    await repository.ensure_accounts(session, {a: accounts.overdraft_allowed(a) for a in addresses})
    allowed = await repository.lock_accounts(session, {p.source for m in movements for p in m.postings})
    # Only an account money leaves can fall; of those, only the bounded ones must not.
    held = await repository.balances(session, [a for a, unbounded in allowed.items() if not unbounded])
    for m in movements:
        change: dict[str, int] = {}
        for p in m.postings:
            change[p.source] = change.get(p.source, 0) - p.amount_fen
            change[p.destination] = change.get(p.destination, 0) + p.amount_fen
        for address, delta in change.items():
            if address in held and held[address] + delta < 0:
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


async def balances(session: AsyncSession, addresses: list[str]) -> dict[str, int]:
    return await repository.balances(session, addresses)


def may_read(principal: Principal, address: str) -> bool:
    """GW-5: overseers read every account; a hospital or company only the accounts named for it."""
    if principal.role in OVERSEERS:
        return True
    if principal.role in (Role.HOSPITAL, Role.COMPANY) and principal.tenant:
        kind = "hospital" if principal.role is Role.HOSPITAL else "company"
        return address.startswith(f"{kind}:{principal.tenant}:")
    return False


async def account_statement(session: AsyncSession, *, address: str, principal: Principal, limit: int):
    """SET-6: an account's balance (the sum of its postings) and its latest movements with their causes."""
    row = await repository.account(session, address) if may_read(principal, address) else None
    if row is None:
        raise Problem(404, detail=f"no ledger account {address} of yours")
    return row, await repository.balance(session, address), await repository.movements_of(session, address,
                                                                                           limit=limit)
