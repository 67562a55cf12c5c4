"""DESIGN §5: a row fetched by id that is not there is a 404 problem, worded one way."""

import pytest
from sqlalchemy import String
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from vbpkit.db import create_sessionmaker
from vbpkit.problems import Problem
from vbpkit.repository import get_or_404


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
