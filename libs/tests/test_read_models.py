"""DESIGN §2 read models: a republished older event never overwrites what a newer one set."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import DateTime, String, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from vbpkit.db.engine import create_sessionmaker
from vbpkit.projections.read_models import upsert_latest


class Base(DeclarativeBase):
    pass


class Hospital(Base):
    __tablename__ = "hospital_view"

    code: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))


T0 = datetime(2025, 7, 1, 9, tzinfo=timezone.utc)


class TestUpsertLatest:
    async def test_newer_replaces_and_older_is_ignored(self, new_database):
        engine = create_async_engine(await new_database("readmodel"))
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        sessionmaker = create_sessionmaker(engine)

        async def apply(name: str, at: datetime) -> str:
            async with sessionmaker() as session, session.begin():
                await upsert_latest(session, Hospital, [{"code": "H1", "name": name, "as_of": at}], key="code")
            async with sessionmaker() as session:
                return await session.scalar(select(Hospital.name).where(Hospital.code == "H1"))

        assert await apply("first", T0) == "first"
        assert await apply("second", T0 + timedelta(minutes=1)) == "second"
        assert await apply("stale first", T0) == "second"  # republished history arrives late
        assert await apply("same instant", T0 + timedelta(minutes=1)) == "same instant"
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT count(*) FROM hospital_view"))).scalar_one() == 1
        await engine.dispose()

    async def test_one_statement_keeps_the_latest_of_a_key_seen_twice(self, new_database):
        engine = create_async_engine(await new_database("readmodel"))
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        sessionmaker = create_sessionmaker(engine)
        rows = [
            {"code": "H1", "name": "newest", "as_of": T0 + timedelta(minutes=2)},
            {"code": "H2", "name": "only", "as_of": T0},
            {"code": "H1", "name": "older", "as_of": T0 + timedelta(minutes=1)},
        ]
        async with sessionmaker() as session, session.begin():
            await upsert_latest(session, Hospital, rows, key="code")
        async with sessionmaker() as session:
            names = dict((await session.execute(select(Hospital.code, Hospital.name))).all())
        assert names == {"H1": "newest", "H2": "only"}
        await engine.dispose()
