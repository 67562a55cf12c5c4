"""CAT-10 working-day calendar: Chinese statutory holidays and make-up workdays (调休).

Deadlines such as "within 20 working days" depend on the State Council's yearly holiday
schedule, which moves weekends around. CAT-10: the calendar is seeded from the
`chinese-calendar` package for the years it knows, ops can load a year's official schedule,
and a computation that needs a year nobody loaded fails naming that year — never a silent
weekend-only guess, which would put due dates inside Spring Festival.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

SEED_SOURCE = "chinese-calendar"
OPS_SOURCE = "ops"
_SATURDAY = 5


class CalendarYearNotLoaded(LookupError):
    """CAT-10: a date computation reached a year whose official schedule nobody loaded."""

    def __init__(self, year: int) -> None:
        super().__init__(
            f"no working-day calendar is loaded for {year}; "
            "ops must load that year's official schedule"
        )
        self.year = year


@dataclass(frozen=True)
class YearSchedule:
    """One year's official schedule: days off that would be workdays, and 调休 weekend days
    worked in exchange. Holidays may fall on any day (the package lists a holiday's whole
    span, weekend days included); a make-up workday is by definition a Saturday or Sunday.
    """

    year: int
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    source: str

    def __post_init__(self) -> None:
        outside = sorted(d for d in self.holidays | self.makeup_workdays if d.year != self.year)
        if outside:
            raise ValueError(
                f"schedule for {self.year} lists dates outside that year: "
                + ", ".join(d.isoformat() for d in outside)
            )
        both = sorted(self.holidays & self.makeup_workdays)
        if both:
            raise ValueError(
                "a date cannot be both a holiday and a make-up workday: "
                + ", ".join(d.isoformat() for d in both)
            )
        weekdays = sorted(d for d in self.makeup_workdays if d.weekday() < _SATURDAY)
        if weekdays:
            raise ValueError(
                "make-up workdays must be Saturdays or Sundays: "
                + ", ".join(d.isoformat() for d in weekdays)
            )


@dataclass(frozen=True)
class WorkdayCount:
    """A due date with the days that made it, so the figure can be explained (§3 explain)."""

    start: date
    working_days: int
    due_on: date
    skipped_holidays: tuple[date, ...]
    skipped_weekends: tuple[date, ...]
    counted_makeup_workdays: tuple[date, ...]
    calendar_sources: tuple[tuple[int, str], ...] = ()

    direction: str = "after"

    def explain(self) -> dict[str, Any]:
        return {
            "rule": "CAT-10",
            "start": self.start.isoformat(),
            "working_days": self.working_days,
            "direction": self.direction,
            "due_on": self.due_on.isoformat(),
            "skipped_holidays": [d.isoformat() for d in self.skipped_holidays],
            "skipped_weekends": [d.isoformat() for d in self.skipped_weekends],
            "counted_makeup_workdays": [d.isoformat() for d in self.counted_makeup_workdays],
            "calendar_years": [
                {"year": year, "source": source} for year, source in self.calendar_sources
            ],
        }


class WorkCalendar:
    """The loaded years; everything else is unknown on purpose (CAT-10)."""

    def __init__(self, schedules: dict[int, YearSchedule] | None = None) -> None:
        self._schedules: dict[int, YearSchedule] = dict(schedules or {})

    @classmethod
    def seeded(cls) -> "WorkCalendar":
        """CAT-10 seed: every year `chinese-calendar` covers, and no other.

        The package's own range check spans the first to the last year in its holiday
        table, so that same span is seeded; beyond it the package raises, and so do we.
        """
        from chinese_calendar import constants

        first = min(constants.holidays).year
        last = max(constants.holidays).year
        calendar = cls()
        for year in range(first, last + 1):
            calendar.load_year(
                YearSchedule(
                    year=year,
                    holidays=frozenset(d for d in constants.holidays if d.year == year),
                    makeup_workdays=frozenset(d for d in constants.workdays if d.year == year),
                    source=SEED_SOURCE,
                )
            )
        return calendar

    def load_year(self, schedule: YearSchedule) -> None:
        """Set a year; ops loading the official schedule replaces the seeded guess."""
        self._schedules[schedule.year] = schedule

    def loaded_years(self) -> list[int]:
        return sorted(self._schedules)

    def schedule(self, year: int) -> YearSchedule:
        try:
            return self._schedules[year]
        except KeyError:
            raise CalendarYearNotLoaded(year) from None

    def is_working_day(self, day: date) -> bool:
        schedule = self.schedule(day.year)
        if day in schedule.makeup_workdays:
            return True
        if day in schedule.holidays:
            return False
        return day.weekday() < _SATURDAY

    def add_working_days(self, start: date, n: int) -> WorkdayCount:
        """The n-th working day after `start`.

        Counting begins the day after `start`, which is not counted itself: "within 20
        working days after the lower price took effect" gives the whole 20 days after that
        day, so the effective date is never used up as day one.
        """
        return self._count(start, n, step=1)

    def subtract_working_days(self, start: date, n: int) -> WorkdayCount:
        """The n-th working day before `start` (CAT-12: pre-listed "no later than 10 working
        days before execution starts"); `start` itself is not counted, as in
        `add_working_days`, so the answer leaves n whole working days before `start`."""
        return self._count(start, n, step=-1)

    def _count(self, start: date, n: int, *, step: int) -> WorkdayCount:
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"working days to count must be an int of at least 1, got {n!r}")
        holidays: list[date] = []
        weekends: list[date] = []
        makeup: list[date] = []
        years: dict[int, str] = {}
        day, counted = start, 0
        while counted < n:
            day += timedelta(days=step)
            schedule = self.schedule(day.year)
            years.setdefault(day.year, schedule.source)
            if day in schedule.makeup_workdays:
                makeup.append(day)
                counted += 1
            elif day in schedule.holidays:
                holidays.append(day)
            elif day.weekday() >= _SATURDAY:
                weekends.append(day)
            else:
                counted += 1
        return WorkdayCount(
            start=start,
            working_days=n,
            due_on=day,
            skipped_holidays=tuple(sorted(holidays)),
            skipped_weekends=tuple(sorted(weekends)),
            counted_makeup_workdays=tuple(sorted(makeup)),
            calendar_sources=tuple(sorted(years.items())),
            direction="after" if step > 0 else "before",
        )
