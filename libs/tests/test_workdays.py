"""CAT-10 working-day calendar: seeded from chinese-calendar, ops can load a year, and a
year nobody loaded is an error naming that year."""

from datetime import date, timedelta

import chinese_calendar
import pytest
from chinese_calendar import constants

from vbpkit.domain.workdays import (
    CalendarYearNotLoaded,
    WorkCalendar,
    WorkdayCount,
    YearSchedule,
)


@pytest.fixture(scope="module")
def seeded() -> WorkCalendar:
    return WorkCalendar.seeded()


def ops_2027() -> YearSchedule:
    # Stand-in for the official 2027 schedule ops would load: New Year's Day (a Friday).
    return YearSchedule(
        year=2027, holidays=frozenset({date(2027, 1, 1)}), makeup_workdays=frozenset(), source="ops"
    )


class TestSeedCoversExactlyTheYearsChineseCalendarKnows:
    """CAT-10: seeded from chinese-calendar for the years it knows, and only those."""

    def test_loaded_years_match_the_package_range(self, seeded):
        first = min(constants.holidays).year
        last = max(constants.holidays).year
        assert seeded.loaded_years() == list(range(first, last + 1))
        assert {2025, 2026} <= set(seeded.loaded_years())
        with pytest.raises(NotImplementedError):
            chinese_calendar.is_workday(date(last + 1, 1, 4))
        assert last + 1 not in seeded.loaded_years()

    def test_every_seeded_day_agrees_with_the_package(self, seeded):
        day = date(min(seeded.loaded_years()), 1, 1)
        end = date(max(seeded.loaded_years()), 12, 31)
        while day <= end:
            assert seeded.is_working_day(day) == chinese_calendar.is_workday(day), day
            day += timedelta(days=1)

    def test_seeded_schedule_records_its_source(self, seeded):
        schedule = seeded.schedule(2025)
        assert schedule.source == "chinese-calendar"
        assert date(2025, 10, 1) in schedule.holidays
        assert schedule.makeup_workdays == {
            date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11)
        }


class TestWorkingDayFollowsTheOfficialSchedule:
    """CAT-10: 调休 make-up weekends are working days, holidays are not, else Mon–Fri."""

    @pytest.mark.parametrize(
        ("day", "working"),
        [
            (date(2025, 9, 28), True),   # Sunday, make-up workday
            (date(2025, 10, 11), True),  # Saturday, make-up workday
            (date(2025, 10, 1), False),  # Wednesday, National Day
            (date(2025, 10, 8), False),  # Wednesday, last day of the holiday
            (date(2025, 10, 4), False),  # Saturday inside the holiday
            (date(2025, 10, 12), False), # ordinary Sunday
            (date(2025, 10, 9), True),   # ordinary Thursday
        ],
    )
    def test_2025_national_day(self, seeded, day, working):
        assert seeded.is_working_day(day) is working

    def test_year_not_loaded_is_an_error_not_a_weekend_guess(self, seeded):
        with pytest.raises(CalendarYearNotLoaded) as caught:
            seeded.is_working_day(date(2027, 1, 4))  # a Monday
        assert caught.value.year == 2027
        assert "2027" in str(caught.value)
        assert isinstance(caught.value, LookupError)

    def test_empty_calendar_knows_nothing(self):
        with pytest.raises(CalendarYearNotLoaded):
            WorkCalendar().schedule(2025)


class TestTwentyWorkingDaysAcrossNationalDay2025:
    """CAT-10: 20 working days after Fri 2025-09-26, over the Oct 1–8 National Day /
    Mid-Autumn holiday with make-up workdays Sun 09-28 and Sat 10-11.

    By hand: 09-28(1) 09-29(2) 09-30(3) | 10-01..10-08 off | 10-09(4) 10-10(5) 10-11(6)
    10-13..17(7-11) 10-20..24(12-16) 10-27(17) 10-28(18) 10-29(19) 10-30(20).
    """

    def test_due_date_and_the_days_that_made_it(self, seeded):
        count = seeded.add_working_days(date(2025, 9, 26), 20)
        assert count.due_on == date(2025, 10, 30)
        assert count.skipped_holidays == tuple(date(2025, 10, d) for d in range(1, 9))
        assert count.skipped_weekends == (
            date(2025, 9, 27), date(2025, 10, 12), date(2025, 10, 18),
            date(2025, 10, 19), date(2025, 10, 25), date(2025, 10, 26),
        )
        assert count.counted_makeup_workdays == (date(2025, 9, 28), date(2025, 10, 11))

    def test_explain_is_json_ready(self, seeded):
        explained = seeded.add_working_days(date(2025, 9, 26), 20).explain()
        assert explained == {
            "rule": "CAT-10",
            "start": "2025-09-26",
            "working_days": 20,
            "direction": "after",
            "due_on": "2025-10-30",
            "skipped_holidays": [f"2025-10-0{d}" for d in range(1, 9)],
            "skipped_weekends": [
                "2025-09-27", "2025-10-12", "2025-10-18", "2025-10-19", "2025-10-25", "2025-10-26"
            ],
            "counted_makeup_workdays": ["2025-09-28", "2025-10-11"],
            "calendar_years": [{"year": 2025, "source": "chinese-calendar"}],
        }


class TestCountingBackwardsForPreListing:
    """CAT-12 (seeds 000/002): pre-listed no later than 10 working days before the start."""

    def test_ten_working_days_before_a_start_after_national_day_2025(self, seeded):
        count = seeded.subtract_working_days(date(2025, 10, 9), 10)
        # back over the eight days of 国庆/中秋, the make-up Sunday 9-28 counted, two weekends skipped
        assert count.due_on == date(2025, 9, 18)
        assert count.skipped_holidays == tuple(date(2025, 10, d) for d in range(1, 9))
        assert count.counted_makeup_workdays == (date(2025, 9, 28),)
        assert count.skipped_weekends == (date(2025, 9, 20), date(2025, 9, 21), date(2025, 9, 27))
        assert count.explain()["direction"] == "before"

    def test_the_start_itself_is_not_counted(self, seeded):
        # Monday 2025-03-03: Friday 02-28 is the first working day before it
        assert seeded.subtract_working_days(date(2025, 3, 3), 1).due_on == date(2025, 2, 28)

    def test_a_year_nobody_loaded_is_named(self):
        from vbpkit.domain.workdays import CalendarYearNotLoaded, WorkCalendar
        with pytest.raises(CalendarYearNotLoaded) as raised:
            WorkCalendar().subtract_working_days(date(2030, 1, 10), 10)
        assert raised.value.year == 2030


class TestCountingStartsTheDayAfterStart:
    """CAT-10: "within N working days after" — the start day itself is never day one."""

    def test_one_working_day_after_a_working_monday_is_tuesday(self, seeded):
        assert seeded.add_working_days(date(2025, 10, 13), 1).due_on == date(2025, 10, 14)

    def test_one_working_day_after_friday_is_monday(self, seeded):
        count = seeded.add_working_days(date(2025, 10, 17), 1)
        assert count.due_on == date(2025, 10, 20)
        assert count.skipped_weekends == (date(2025, 10, 18), date(2025, 10, 19))

    def test_starting_on_a_holiday_counts_from_the_next_working_day(self, seeded):
        assert seeded.add_working_days(date(2025, 10, 1), 1).due_on == date(2025, 10, 9)

    @pytest.mark.parametrize("n", [0, -1, True, 1.0])
    def test_fewer_than_one_working_day_is_refused(self, seeded, n):
        with pytest.raises(ValueError):
            seeded.add_working_days(date(2025, 10, 13), n)


class TestCrossingIntoAnUnloadedYearFailsNamingIt:
    """CAT-10: a computation that needs a year nobody loaded fails naming that year."""

    def test_late_2026_into_2027_raises(self, seeded):
        with pytest.raises(CalendarYearNotLoaded) as caught:
            seeded.add_working_days(date(2026, 12, 10), 20)
        assert caught.value.year == 2027
        assert "no working-day calendar is loaded for 2027" in str(caught.value)

    def test_within_2026_still_works(self):
        # 15 working days after Thu 2026-12-10 end on Thu 2026-12-31, before 2027 is needed.
        assert WorkCalendar.seeded().add_working_days(date(2026, 12, 10), 15).due_on == date(2026, 12, 31)

    def test_ops_loading_2027_makes_it_work(self):
        calendar = WorkCalendar.seeded()
        calendar.load_year(ops_2027())
        count = calendar.add_working_days(date(2026, 12, 10), 20)
        # 12-11(1) 12-14..18(2-6) 12-21..25(7-11) 12-28..31(12-15) | 01-01 holiday,
        # 01-02/03 weekend | 01-04..08(16-20)
        assert count.due_on == date(2027, 1, 8)
        assert count.skipped_holidays == (date(2027, 1, 1),)
        assert 2027 in calendar.loaded_years()
        assert count.explain()["calendar_years"] == [
            {"year": 2026, "source": "chinese-calendar"},
            {"year": 2027, "source": "ops"},
        ]


class TestOpsScheduleOverridesTheSeed:
    """CAT-10: ops can load a year's official schedule, replacing the seeded one."""

    def test_ops_schedule_replaces_seeded_year(self):
        calendar = WorkCalendar.seeded()
        seeded_2025 = calendar.schedule(2025)
        calendar.load_year(
            YearSchedule(
                year=2025,
                holidays=seeded_2025.holidays - {date(2025, 10, 8)},
                makeup_workdays=seeded_2025.makeup_workdays,
                source="ops",
            )
        )
        assert calendar.is_working_day(date(2025, 10, 8)) is True
        assert calendar.schedule(2025).source == "ops"
        assert calendar.loaded_years() == WorkCalendar.seeded().loaded_years()


class TestYearScheduleRefusesInconsistentSchedules:
    """CAT-10: a loaded schedule must be internally consistent before it decides due dates."""

    def test_date_outside_the_year_is_refused(self):
        with pytest.raises(ValueError, match="outside that year"):
            YearSchedule(2027, frozenset({date(2026, 12, 31)}), frozenset(), "ops")

    def test_date_both_holiday_and_makeup_is_refused(self):
        saturday = date(2027, 1, 2)
        with pytest.raises(ValueError, match="both"):
            YearSchedule(2027, frozenset({saturday}), frozenset({saturday}), "ops")

    def test_makeup_workday_on_a_weekday_is_refused(self):
        with pytest.raises(ValueError, match="Saturdays or Sundays"):
            YearSchedule(2027, frozenset(), frozenset({date(2027, 1, 4)}), "ops")

    def test_holiday_on_a_weekend_is_allowed(self):
        schedule = YearSchedule(2027, frozenset({date(2027, 1, 2)}), frozenset({date(2027, 1, 3)}), "ops")
        assert schedule.holidays == {date(2027, 1, 2)}


class TestWorkdayCountCannotBeAlteredAfterTheFact:
    """CAT-10 / §3 explain: a computed due date and its explanation stay as computed."""

    def test_workday_count_is_frozen(self, seeded):
        count = seeded.add_working_days(date(2025, 10, 13), 1)
        assert isinstance(count, WorkdayCount)
        with pytest.raises(AttributeError):
            count.due_on = date(2030, 1, 1)  # type: ignore[misc]
