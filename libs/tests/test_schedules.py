"""A scheduled rule (CAT-6, SET-2, SET-3 checks) runs on the service clock's date, in its own
transaction, and a failed round neither stops the schedule nor leaves anything written."""

import asyncio
from datetime import date
from types import SimpleNamespace

from sqlalchemy import text

from testsupport.kit_database import kit_sessionmaker
from vbpkit.runtime.clock import clock_from_setting
from vbpkit.runtime.schedules import scheduled

TABLE = "CREATE TABLE rounds (id bigserial PRIMARY KEY, today date NOT NULL)"


class TestScheduledCheck:
    async def test_rounds_use_the_clock_and_a_failed_round_rolls_back_and_is_retried(self, new_database):
        sessionmaker = await kit_sessionmaker(await new_database("schedules"), TABLE)
        seen: list[date] = []

        async def check(session, *, today):
            seen.append(today)
            await session.execute(text("INSERT INTO rounds (today) VALUES (:d)"), {"d": today})
            if len(seen) == 1:
                raise RuntimeError("first round fails after writing")
            return len(seen)

        job = scheduled("test_schedule", check, rule="TEST", every=lambda settings: settings.seconds)
        runtime = SimpleNamespace(sessionmaker=sessionmaker, clock=clock_from_setting("frozen:2025-12-01T10:00"),
                                  settings=SimpleNamespace(seconds=0.05))
        task = asyncio.create_task(job(runtime))
        try:
            while len(seen) < 3:
                await asyncio.sleep(0.02)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        assert job.__name__ == "test_schedule"  # the name /health shows for the loop
        assert set(seen) == {date(2025, 12, 1)}
        async with sessionmaker() as session:
            first_kept = (await session.execute(text("SELECT min(id) FROM rounds"))).scalar_one()
        assert first_kept == 2  # round 1 wrote row 1 and failed: rolled back; round 2 went on
