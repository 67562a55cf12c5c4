"""Keeps the calendar view in step with ``catalog.calendar.year_loaded`` (the latest load wins)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.events import Envelope
from vbpkit.events.catalog import CalendarYearLoaded
from vbpkit.messaging.handlers import batch
from vbpkit.projections.calendar_view.models import CalendarYearView
from vbpkit.projections.read_models import upsert_latest


@batch
async def on_year_loaded(session: AsyncSession, events: list[tuple[CalendarYearLoaded, Envelope]]) -> None:
    await upsert_latest(session, CalendarYearView, [
        dict(year=e.year, holidays=e.holidays, makeup_workdays=e.makeup_workdays, as_of=envelope.occurred_at)
        for e, envelope in events], key="year")


HANDLERS = {"catalog.calendar.year_loaded": on_year_loaded}
