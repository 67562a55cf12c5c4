"""DESIGN §5: a row fetched by id that is not there is a 404 problem, worded one way; and
the transaction-scoped lock that lets one write of a key at a time read, then insert (issue 21)."""

import asyncio

import pytest
from sqlalchemy import String, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from testsupport import eventually
from vbpkit.db.engine import create_sessionmaker
from vbpkit.web.problems import Problem
from vbpkit.db.repository import MAX_SCOPE_LOCKS, get_or_404, lock_for_transaction


class Base(DeclarativeBase):
    pass


class Batch(Base):
    __tablename__ = "batches"

    code: Mapped[str] = mapped_column(String, primary_key=True)


@pytest.fixture
async def session(new_database):
    engine = create_async_engine(await new_database("repository"))
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    async with create_sessionmaker(engine)() as session:
        session.add(Batch(code="B1"))
        await session.flush()
        yield session
    await engine.dispose()


class TestGetOr404:
    """§5: every missing row answers 404 problem+json, never a 500 from a None."""

    async def test_a_present_row_is_returned(self, session):
        assert (await get_or_404(session, Batch, "B1", what="batch", for_update=True)).code == "B1"

    async def test_a_missing_row_is_a_404_naming_it(self, session):
        with pytest.raises(Problem) as problem:
            await get_or_404(session, Batch, "B2", what="batch")
        assert (problem.value.status, problem.value.detail) == (404, "batch B2 not found")

    async def test_a_service_keeps_its_own_wording(self, session):
        with pytest.raises(Problem) as problem:
            await get_or_404(session, Batch, "B2", what="batch", detail="no batch B2 of yours")
        assert (problem.value.status, problem.value.detail) == (404, "no batch B2 of yours")


@pytest.fixture
async def sessions(new_database):
    engine = create_async_engine(await new_database("locks"))
    yield create_sessionmaker(engine)
    await engine.dispose()


async def advisory_locks(session, *, granted: bool = True) -> list[str]:
    """The modes of the advisory locks the session's backend holds (or waits for)."""
    return sorted(await session.scalars(text(
        "SELECT mode FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted = :granted"),
        {"granted": granted}))


async def waiting(sessions) -> int:
    async with sessions() as session:
        return await session.scalar(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"))


class TestLockForTransaction:
    """Issue 21: a read-then-insert write takes its kind's lock before it reads, and a 10,000-row
    bulk never takes a lock per row (PostgreSQL's shared lock table would run out)."""

    async def test_a_few_scopes_take_one_lock_each_and_share_the_namespace(self, sessions):
        async with sessions() as session, session.begin():
            await lock_for_transaction(session, "vbp-orders", ["H2", "H1", "H2"])
            assert await advisory_locks(session) == ["ExclusiveLock", "ExclusiveLock", "ShareLock"]

    async def test_more_scopes_than_the_bound_take_the_namespace_alone(self, sessions):
        async with sessions() as session, session.begin():
            await lock_for_transaction(session, "vbp-fund-payables", [f"H{n}" for n in range(10_000)])
            assert await advisory_locks(session) == ["ExclusiveLock"]
        async with sessions() as session, session.begin():
            await lock_for_transaction(session, "vbp-fund-payables", [f"H{n}" for n in range(MAX_SCOPE_LOCKS + 1)])
            assert await advisory_locks(session) == ["ExclusiveLock"]

    async def test_a_writer_waits_for_one_of_its_scopes_or_the_whole_namespace_and_no_other(self, sessions):
        async def write(scopes):
            async with sessions() as session, session.begin():
                await lock_for_transaction(session, "vbp-listings", scopes)

        async with sessions() as first, first.begin():
            await lock_for_transaction(first, "vbp-listings", ["B1", "B2"])
            await write(["B3"])  # another batch: not held up
            same = asyncio.create_task(write(["B2", "B4"]))
            whole = asyncio.create_task(write(None))

            async def both_wait():
                assert await waiting(sessions) == 2
            await eventually(both_wait)
            assert not same.done() and not whole.done()
        await asyncio.gather(same, whole)
        assert await waiting(sessions) == 0
