"""``/clock``: the service's clock, read by anyone signed in and set by an admin — only where
the deployment froze it (``CLOCK=frozen:…``, a demonstration or a test platform), so a
scenario can walk through months of execution (seed 001's onboarding check two months on,
a delivery window closing) through the public API. A real or shifted clock is never set.

Where it was set is kept in the service's database (``frozen_clock``), so a service the
launcher restarts after a crash stands where it stood (found by ``bench/chaos.py``: a killed
contracts came back two weeks early and refused every order as before its batch's start)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vbpkit.runtime.clock import SHANGHAI, FrozenClock
from vbpkit.web.identity import require_roles
from vbpkit.web.problems import Problem
from vbpkit.db.tables import FrozenClockState

router = APIRouter(tags=["operations"])


class ClockRead(BaseModel):
    now: datetime
    today: str = Field(description="the calendar day in Asia/Shanghai every date rule uses")
    frozen: bool


class ClockSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    now: AwareDatetime = Field(description="the instant the frozen clock stands at, with its offset")


def _read(clock) -> ClockRead:
    return ClockRead(now=clock.now(), today=clock.today().isoformat(), frozen=isinstance(clock, FrozenClock))


@router.get("/clock", response_model=ClockRead, summary="The service's clock")
async def read_clock(request: Request) -> ClockRead:
    return _read(request.app.state.runtime.clock)


@router.put("/clock", response_model=ClockRead, dependencies=[require_roles()],
            summary="Move a frozen clock (admin; demonstration and test platforms only)")
async def set_clock(body: ClockSet, request: Request) -> ClockRead:
    clock = request.app.state.runtime.clock
    if not isinstance(clock, FrozenClock):
        raise Problem(409, detail="this service runs on a real (or shifted) clock; only a frozen clock "
                                  "(CLOCK=frozen:<date>) is set")
    setting = request.app.state.runtime.settings.clock or ""
    await request.state.session.execute(
        insert(FrozenClockState).values(id=1, now=body.now, setting=setting)
        .on_conflict_do_update(index_elements=["id"], set_={"now": body.now, "setting": setting, "set_at": func.now()}))
    clock.set(body.now)
    return _read(clock)


async def restore(clock, setting: str | None, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """At start-up: a frozen clock stands where an admin last set it under this same setting."""
    if not isinstance(clock, FrozenClock):
        return
    async with sessionmaker() as session:
        kept = await session.get(FrozenClockState, 1)
    if kept is not None and kept.setting == (setting or ""):
        clock.set(kept.now.astimezone(SHANGHAI))
