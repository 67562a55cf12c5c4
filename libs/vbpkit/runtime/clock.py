"""An injectable clock, so every date rule can be tested and demonstrated at any date.

§3: dates are calendar dates in Asia/Shanghai. A server running in UTC would otherwise see
"yesterday" until 08:00 Beijing time and put month ends and due dates a day early.
Nothing reads the wall clock directly; services take a `Clock` from their composition root.
"""

import time
from datetime import date, datetime, timedelta, timezone
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
FROZEN_PREFIX = "frozen:"


def _require_aware(instant: datetime) -> None:
    # A naive instant has no single meaning; refusing it keeps "today" unambiguous.
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{instant.isoformat()} has no time zone; pass a tz-aware datetime")


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, tz-aware."""
        ...

    def today(self) -> date:
        """The current calendar date in Asia/Shanghai (§3)."""
        ...


class SystemClock:
    """Real time, for production."""

    def now(self) -> datetime:
        return datetime.now(SHANGHAI)

    def today(self) -> date:
        return self.now().astimezone(SHANGHAI).date()


class ShiftedClock:
    """Starts at a chosen instant and runs in real time from there, so a demo can show the
    platform "as of" a date while timestamps still move forward between requests.
    """

    def __init__(self, start: datetime) -> None:
        _require_aware(start)
        self._start = start
        # Monotonic, so a host clock correction cannot move the shifted time backwards.
        self._started_at = time.monotonic()

    def now(self) -> datetime:
        elapsed = timedelta(seconds=time.monotonic() - self._started_at)
        return (self._start + elapsed).astimezone(SHANGHAI)

    def today(self) -> date:
        return self.now().date()


class FrozenClock:
    """A fixed instant that only moves when a test moves it."""

    def __init__(self, instant: datetime) -> None:
        self.set(instant)

    def set(self, instant: datetime) -> None:
        _require_aware(instant)
        self._instant = instant

    def advance(self, delta: timedelta) -> None:
        self._instant = self._instant + delta

    def now(self) -> datetime:
        return self._instant

    def today(self) -> date:
        return self._instant.astimezone(SHANGHAI).date()


def _parse_instant(text: str) -> datetime:
    # A bare date means the start of that day in Shanghai, the day a rule would see.
    try:
        if "T" not in text and " " not in text:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"clock setting {text!r} is not an ISO date or datetime "
            "(expected e.g. '2025-07-01', '2025-07-01T09:30:00+08:00' or 'frozen:2025-07-01')"
        ) from None
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=SHANGHAI)


def day_start(day: date) -> datetime:
    """The instant a calendar day begins in Asia/Shanghai (§3): what a date filter on a
    timestamp compares with (``placed_at >= day_start(from)``, ``< day_start(to + 1 day)``)."""
    return datetime.combine(day, datetime.min.time(), tzinfo=SHANGHAI)


CLOCK_OPTION = "vbp_clock"  # the execution option a service's engine carries its clock in


def recorded_now(context) -> datetime:
    """The instant a row is recorded at (``recorded_at``, ``submitted_at``, ``placed_at`` … as a
    column default; SQLAlchemy passes the statement's execution context): the clock of the
    service whose engine runs the statement (``CLOCK_OPTION``, set by ``create_service_app``),
    so that a frozen or shifted platform (``make demo``) records its own dates beside its
    business dates, from a request or a background loop alike (issue 23, item 6); real time on
    an engine without one (a script writing rows directly). The gateway's audit trail keeps
    real time: it records when a request really reached the platform, whatever date it shows."""
    clock = context.execution_options.get(CLOCK_OPTION)
    return clock.now() if clock is not None else datetime.now(timezone.utc)


def clock_from_setting(value: str | None) -> Clock:
    """The clock a deployment asked for: empty → real time, an ISO date or datetime → shifted
    to it (naive means Shanghai), "frozen:<iso>" → frozen there.
    """
    if value is None or not value.strip():
        return SystemClock()
    text = value.strip()
    if text.startswith(FROZEN_PREFIX):
        return FrozenClock(_parse_instant(text.removeprefix(FROZEN_PREFIX).strip()))
    return ShiftedClock(_parse_instant(text))
