"""``/clock``: the service's clock, read by anyone signed in and set by an admin — only where
the deployment froze it (``CLOCK=frozen:…``, a demonstration or a test platform), so a
scenario can walk through months of execution (seed 001's onboarding check two months on,
a delivery window closing) through the public API. A real or shifted clock is never set."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from vbpkit.clock import FrozenClock
from vbpkit.identity import require_roles
from vbpkit.problems import Problem

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
    clock.set(body.now)
    return _read(clock)
