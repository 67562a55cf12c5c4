"""SET-6: every movement of money is one balanced ledger transaction tied to its cause.

``move`` is the only way money moves in settlement. It opens the accounts it names, locks
the ones money leaves, and refuses an overdraft of a bounded account with a 409 naming the
account — the same rule the database enforces again at commit (migration 0005), so a bug
that skips this check still cannot leave a hospital's prepayment below zero.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.web import request_id
from vbpkit.web.identity import Principal, Role
from vbpkit.domain.money import format_yuan
from vbpkit.web.problems import Problem

from vbp_settlement.ledger import accounts, repository
from vbp_settlement.ledger.models import LedgerTransaction
from vbp_settlement.parties import OVERSEERS

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


class Overdraft(Problem):
    """A bounded account would go below zero (SET-6, TigerBeetle's debits_must_not_exceed_credits)."""

    def __init__(self, address: str, balance_fen: int, wanted_fen: int) -> None:
        super().__init__(409, detail=(
            f"account {address} holds {format_yuan(balance_fen)}; moving {format_yuan(wanted_fen)} out of it "
            "would overdraw it (SET-6)"))
        self.address = address


async def move(session: AsyncSession, *, cause_kind: str, cause_ref: str | None, description: str,
               recorded_by: str, postings: list[Posting]) -> LedgerTransaction:
    """Record one transaction; the caller's session commits it with the state change it explains."""
    if cause_kind not in CAUSE_KINDS:
        raise ValueError(f"unknown cause kind {cause_kind!r}")
    if not cause_ref:
        raise ValueError("SET-6: every ledger transaction names its cause")
    if not postings:
        raise ValueError("SET-6: a transaction moves money; it has at least one posting")
    for p in postings:
        if p.amount_fen <= 0 or p.source == p.destination:
            raise ValueError(f"SET-6: a posting moves a positive amount between two accounts, got {p}")
    addresses = {a for p in postings for a in (p.source, p.destination)}
    await repository.ensure_accounts(session, {a: accounts.overdraft_allowed(a) for a in addresses})
    overdraft_allowed = await repository.lock_accounts(session, {p.source for p in postings})
    outflow: dict[str, int] = {}
    for p in postings:
        outflow[p.source] = outflow.get(p.source, 0) - p.amount_fen
        outflow[p.destination] = outflow.get(p.destination, 0) + p.amount_fen
    # Only an account money leaves can fall; of those, only the bounded ones must not.
    held = await repository.balances(session, [a for a, allowed in overdraft_allowed.items() if not allowed])
    for address, balance_fen in held.items():
        if balance_fen + outflow[address] < 0:
            raise Overdraft(address, balance_fen, -outflow[address])
    return await repository.add_transaction(
        session, cause_kind=cause_kind, cause_ref=cause_ref, description=description, recorded_by=recorded_by,
        postings=[(p.source, p.destination, p.amount_fen) for p in postings])


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
