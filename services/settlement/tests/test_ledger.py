"""SET-6: the ledger's invariants hold in the database itself, not only in the service."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from vbp_settlement.ledger import accounts, repository, service
from vbp_settlement.ledger.service import Overdraft, Posting
from vbp_settlement.main import MIGRATIONS
from vbpkit.db.engine import create_sessionmaker
from vbpkit.db.migrations import upgrade_to_head

FUND, PREPAID = accounts.fund("employee"), accounts.hospital_prepayment("H500101001")
PAYABLE = accounts.hospital_payable("H500101001")


@pytest.fixture
async def sessions(new_database):
    url = await new_database("settlement_ledger")
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    engine = create_async_engine(url)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def move(sessions, *postings: Posting, cause: str = "req-1") -> int:
    async with sessions() as session, session.begin():
        recorded = await service.move(session, cause_kind="request", cause_ref=cause, description="test",
                                      recorded_by="insurer:test", postings=list(postings))
        return recorded.transaction_id


async def balances(sessions, *addresses: str) -> dict[str, int]:
    async with sessions() as session:
        return await repository.balances(session, addresses)


class TestBalancesAreSumsOfPostings:
    """SET-6: a balance is Σ in − Σ out; the unbounded fund goes negative, the hospital does not."""

    async def test_a_disbursement_then_a_partial_recovery(self, sessions):
        await move(sessions, Posting(FUND, PREPAID, 100_000))
        await move(sessions, Posting(PREPAID, PAYABLE, 30_000), Posting(PREPAID, FUND, 20_000), cause="req-2")
        assert await balances(sessions, FUND, PREPAID, PAYABLE) == {FUND: -80_000, PREPAID: 50_000, PAYABLE: 30_000}

    async def test_every_transaction_sums_to_zero(self, sessions):
        await move(sessions, Posting(FUND, PREPAID, 7_001), Posting(PREPAID, PAYABLE, 1))
        got = await balances(sessions, FUND, PREPAID, PAYABLE)
        assert sum(got.values()) == 0


class TestOverdraftIsRefused:
    """SET-6 (TigerBeetle's debits_must_not_exceed_credits): a bounded account never goes negative."""

    async def test_the_service_refuses_one_fen_more_than_held(self, sessions):
        await move(sessions, Posting(FUND, PREPAID, 5_000))
        with pytest.raises(Overdraft) as refused:
            await move(sessions, Posting(PREPAID, PAYABLE, 5_001), cause="req-2")
        assert PREPAID in refused.value.detail
        await move(sessions, Posting(PREPAID, PAYABLE, 5_000), cause="req-3")  # exactly what is held passes
        assert await balances(sessions, PREPAID) == {PREPAID: 0}

    async def test_the_database_refuses_it_at_commit_when_the_service_is_bypassed(self, sessions):
        await move(sessions, Posting(FUND, PREPAID, 5_000))
        async with sessions() as session:
            await session.execute(text(
                "INSERT INTO ledger_transactions (cause_kind, cause_ref, description, recorded_by) "
                "VALUES ('request', 'bypass', 'raw', 'test')"))
            await session.execute(text(
                "INSERT INTO ledger_postings (transaction_id, source, destination, amount_fen) "
                f"SELECT max(id), '{PREPAID}', '{FUND}', 5001 FROM ledger_transactions"))
            with pytest.raises(DBAPIError, match="overdrawn"):
                await session.commit()
        assert await balances(sessions, PREPAID) == {PREPAID: 5_000}

    async def test_the_check_sees_a_concurrent_movement_from_the_same_account(self, sessions):
        """Two raw withdrawals of 3,000 from 5,000 held, committed together: one must fail."""
        await move(sessions, Posting(FUND, PREPAID, 5_000))

        async def withdraw(cause: str) -> bool:
            async with sessions() as session:
                await session.execute(text(
                    "INSERT INTO ledger_transactions (cause_kind, cause_ref, description, recorded_by) "
                    f"VALUES ('request', '{cause}', 'raw', 'test')"))
                await session.execute(text(
                    "INSERT INTO ledger_postings (transaction_id, source, destination, amount_fen) "
                    f"SELECT id, '{PREPAID}', '{FUND}', 3000 FROM ledger_transactions WHERE cause_ref = '{cause}'"))
                try:
                    await session.commit()
                    return True
                except DBAPIError:
                    return False

        assert sorted(await asyncio.gather(withdraw("a"), withdraw("b"))) == [False, True]
        assert await balances(sessions, PREPAID) == {PREPAID: 2_000}


class TestEveryMovementIsWellFormed:
    """SET-6: positive amounts, a cause, at least one posting, history never rewritten."""

    @pytest.mark.parametrize("statement, message", [
        ("INSERT INTO ledger_postings (transaction_id, source, destination, amount_fen) "
         "SELECT max(id), 'fund:employee', 'hospital:H500101001:prepayment', 0 FROM ledger_transactions",
         "amount_positive"),
        ("INSERT INTO ledger_postings (transaction_id, source, destination, amount_fen) "
         "SELECT max(id), 'fund:employee', 'nobody:opened:this', 5 FROM ledger_transactions", "foreign key"),
        ("INSERT INTO ledger_transactions (cause_kind, cause_ref, description, recorded_by) "
         "VALUES ('request', '', 'no cause', 'test')", "cause_ref_present"),
        ("INSERT INTO ledger_transactions (cause_kind, cause_ref, description, recorded_by) "
         "VALUES ('whim', 'x', 'no cause', 'test')", "cause_kind_known"),
        ("UPDATE ledger_postings SET amount_fen = 1", "append-only"),
        ("DELETE FROM ledger_transactions", "append-only"),
        ("UPDATE ledger_accounts SET overdraft_allowed = true", "append-only"),
    ])
    async def test_the_database_refuses(self, sessions, statement, message):
        await move(sessions, Posting(FUND, PREPAID, 5_000))
        async with sessions() as session:
            with pytest.raises(DBAPIError, match=message):
                await session.execute(text(statement))
                await session.commit()

    async def test_a_transaction_without_postings_is_refused_at_commit(self, sessions):
        async with sessions() as session:
            await session.execute(text(
                "INSERT INTO ledger_transactions (cause_kind, cause_ref, description, recorded_by) "
                "VALUES ('request', 'empty', 'nothing moved', 'test')"))
            with pytest.raises(DBAPIError, match="no postings"):
                await session.commit()

    @pytest.mark.parametrize("cause, postings", [
        ("", [Posting(FUND, PREPAID, 1)]),
        ("req", []),
        ("req", [Posting(FUND, PREPAID, 0)]),
        ("req", [Posting(PREPAID, PREPAID, 5)]),
    ])
    async def test_the_service_refuses_a_malformed_movement(self, sessions, cause, postings):
        with pytest.raises(ValueError, match="SET-6"):
            await move(sessions, *postings, cause=cause)

    async def test_an_audit_finds_nothing_wrong(self, sessions):
        await move(sessions, Posting(FUND, PREPAID, 5_000))
        async with sessions() as session:
            assert await repository.negative_bounded_accounts(session) == {}
            assert await repository.transactions_without_cause_or_postings(session) == []
