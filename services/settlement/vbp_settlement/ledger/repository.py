"""Queries of the ledger (SET-6): balances are sums of postings, never a stored counter."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, literal, or_, select, text, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import any_of, copy_rows, reserve_ids

from vbp_settlement.ledger.models import LedgerAccount, LedgerPosting, LedgerTransaction


async def ensure_accounts(session: AsyncSession, accounts: dict[str, bool]) -> None:
    """Open each account (address → overdraft_allowed) that does not exist yet: one statement
    over arrays, however many (a bulk post opens thousands), in address order so two
    movements opening the same accounts never deadlock."""
    if accounts:
        addresses = sorted(accounts)
        await session.execute(text(
            "INSERT INTO ledger_accounts (address, overdraft_allowed) "
            "SELECT * FROM unnest(CAST(:addresses AS varchar[]), CAST(:allowed AS boolean[])) "
            "ON CONFLICT (address) DO NOTHING"),
            {"addresses": addresses, "allowed": [accounts[a] for a in addresses]})


async def lock_accounts(session: AsyncSession, addresses: Iterable[str]) -> dict[str, bool]:
    """Lock the accounts money leaves, in address order so two movements never deadlock;
    a concurrent movement from the same account waits and then sees this one's postings."""
    rows = await session.execute(select(LedgerAccount.address, LedgerAccount.overdraft_allowed)
                                 .where(any_of(LedgerAccount.address, set(addresses)))
                                 .order_by(LedgerAccount.address).with_for_update())
    return dict(rows.all())


async def balances(session: AsyncSession, addresses: Iterable[str]) -> dict[str, int]:
    """Σ in − Σ out of each address (0 for an account never used)."""
    wanted = sorted(set(addresses))
    if not wanted:
        return {}
    moves = union_all(
        select(LedgerPosting.destination.label("address"), LedgerPosting.amount_fen.label("fen"))
        .where(any_of(LedgerPosting.destination, wanted)),
        select(LedgerPosting.source.label("address"), (-LedgerPosting.amount_fen).label("fen"))
        .where(any_of(LedgerPosting.source, wanted)),
    ).subquery()
    rows = await session.execute(select(moves.c.address, func.sum(moves.c.fen)).group_by(moves.c.address))
    found = {address: int(total) for address, total in rows}
    return {address: found.get(address, 0) for address in wanted}


async def balance(session: AsyncSession, address: str) -> int:
    return (await balances(session, [address]))[address]


async def postings_of(session: AsyncSession, transaction_ids: Iterable[int]) -> list:
    """(id, transaction_id, source, destination, amount_fen) of each posting of these transactions."""
    ids = list(set(transaction_ids))
    if not ids:
        return []
    p = LedgerPosting
    return list(await session.execute(select(p.id, p.transaction_id, p.source, p.destination, p.amount_fen)
                                      .where(any_of(p.transaction_id, ids)).order_by(p.id)))


async def negative_bounded_accounts(session: AsyncSession) -> dict[str, int]:
    """SET-6 audit: every bounded account below zero (none, while the constraints hold)."""
    moves = union_all(
        select(LedgerPosting.destination.label("address"), LedgerPosting.amount_fen.label("fen")),
        select(LedgerPosting.source.label("address"), (-LedgerPosting.amount_fen).label("fen")),
    ).subquery()
    rows = await session.execute(
        select(moves.c.address, func.sum(moves.c.fen))
        .join(LedgerAccount, LedgerAccount.address == moves.c.address)
        .where(LedgerAccount.overdraft_allowed.is_(False))
        .group_by(moves.c.address).having(func.sum(moves.c.fen) < 0))
    return {address: int(total) for address, total in rows}


async def transactions_without_cause_or_postings(session: AsyncSession) -> list[int]:
    """SET-6 audit: transactions with an empty cause or no posting (none, while the constraints hold)."""
    has_posting = select(literal(1)).where(LedgerPosting.transaction_id == LedgerTransaction.id).exists()
    rows = await session.scalars(select(LedgerTransaction.id).where(
        or_(func.length(LedgerTransaction.cause_ref) == 0, ~has_posting)))
    return list(rows)


async def account(session: AsyncSession, address: str) -> LedgerAccount | None:
    return await session.get(LedgerAccount, address)


async def movements_of(session: AsyncSession, address: str, *, limit: int) -> list[tuple[LedgerPosting,
                                                                                       LedgerTransaction]]:
    """An account's latest postings, either side, with the transaction (and cause) of each."""
    rows = await session.execute(
        select(LedgerPosting, LedgerTransaction)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        .where(or_(LedgerPosting.source == address, LedgerPosting.destination == address))
        .order_by(LedgerPosting.id.desc()).limit(limit))
    return [(p, t) for p, t in rows]


TRANSACTION_COLUMNS = ["id", "cause_kind", "cause_ref", "description", "recorded_by"]
POSTING_COLUMNS = ["id", "transaction_id", "source", "destination", "amount_fen"]


async def add_transactions(session: AsyncSession, rows: list[dict]) -> list[int]:
    """Insert transaction headers (binary COPY: a bulk post writes thousands); their ids in
    the order of ``rows``."""
    ids = await reserve_ids(session, LedgerTransaction.__tablename__, len(rows))
    await copy_rows(session, LedgerTransaction.__table__, TRANSACTION_COLUMNS,
                    [(i, r["cause_kind"], r["cause_ref"], r["description"], r["recorded_by"])
                     for r, i in zip(rows, ids, strict=True)])
    return ids


async def add_postings(session: AsyncSession, rows: list[dict]) -> list[int]:
    """Insert postings (binary COPY); their ids in the order of ``rows``."""
    ids = await reserve_ids(session, LedgerPosting.__tablename__, len(rows))
    await copy_rows(session, LedgerPosting.__table__, POSTING_COLUMNS,
                    [(i, r["transaction_id"], r["source"], r["destination"], r["amount_fen"])
                     for r, i in zip(rows, ids, strict=True)])
    return ids


async def posting_amounts(session: AsyncSession, posting_ids: Iterable[int]) -> dict[int, int]:
    ids = list(set(posting_ids))
    if not ids:
        return {}
    rows = await session.execute(select(LedgerPosting.id, LedgerPosting.amount_fen).where(any_of(LedgerPosting.id, ids)))
    return {i: int(a) for i, a in rows}
