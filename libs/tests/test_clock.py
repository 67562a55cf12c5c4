"""§3 "Dates are calendar dates in Asia/Shanghai", and an injectable clock so every date
rule can be tested and demonstrated as of any date."""

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from vbpkit.runtime.clock import (
    SHANGHAI,
    Clock,
    FrozenClock,
    ShiftedClock,
    SystemClock,
    clock_from_setting,
)


class TestTodayIsTheShanghaiCalendarDate:
    """§3: dates are calendar dates in Asia/Shanghai, whatever zone the instant is in."""

    def test_utc_evening_is_already_tomorrow_in_shanghai(self):
        clock = FrozenClock(datetime(2025, 6, 30, 17, 0, tzinfo=UTC))
        assert clock.today() == date(2025, 7, 1)

    def test_utc_afternoon_before_16h_is_still_the_same_day(self):
        clock = FrozenClock(datetime(2025, 6, 30, 15, 59, 59, tzinfo=UTC))
        assert clock.today() == date(2025, 6, 30)

    def test_shifted_clock_uses_shanghai_too(self):
        clock = ShiftedClock(datetime(2025, 6, 30, 17, 0, tzinfo=UTC))
        assert clock.today() == date(2025, 7, 1)

    def test_system_clock_now_is_aware_and_today_is_shanghai(self):
        clock = SystemClock()
        before = datetime.now(SHANGHAI).date()
        today = clock.today()
        after = datetime.now(SHANGHAI).date()
        assert before <= today <= after
        assert clock.now().utcoffset() == timedelta(hours=8)


class TestFrozenClockMovesOnlyWhenTold:
    """A test sets the date a rule sees; nothing moves behind its back."""

    def test_set_and_advance(self):
        clock = FrozenClock(datetime(2025, 12, 31, 23, 0, tzinfo=SHANGHAI))
        assert clock.now() == clock.now()
        clock.advance(timedelta(hours=1))
        assert clock.today() == date(2026, 1, 1)
        clock.set(datetime(2025, 3, 1, tzinfo=SHANGHAI))
        assert clock.today() == date(2025, 3, 1)

    def test_naive_instant_is_refused(self):
        with pytest.raises(ValueError, match="time zone"):
            FrozenClock(datetime(2025, 7, 1))
        clock = FrozenClock(datetime(2025, 7, 1, tzinfo=SHANGHAI))
        with pytest.raises(ValueError, match="time zone"):
            clock.set(datetime(2025, 7, 1))


class TestShiftedClockRunsOnFromItsStart:
    """A demo "as of" a date still sees time pass between requests."""

    def test_starts_at_the_given_instant_and_moves_forward(self):
        start = datetime(2025, 7, 1, 9, 0, tzinfo=SHANGHAI)
        clock = ShiftedClock(start)
        first = clock.now()
        assert timedelta(0) <= first - start < timedelta(seconds=5)
        time.sleep(0.02)
        assert clock.now() > first
        assert clock.now().utcoffset() == timedelta(hours=8)

    def test_naive_start_is_refused(self):
        with pytest.raises(ValueError, match="time zone"):
            ShiftedClock(datetime(2025, 7, 1))


class TestClockIsChosenFromASetting:
    """The composition root picks the clock from one setting; garbage is refused loudly."""

    @pytest.mark.parametrize("value", [None, "", "  "])
    def test_empty_means_real_time(self, value):
        assert isinstance(clock_from_setting(value), SystemClock)

    def test_iso_date_means_shifted_to_shanghai_midnight(self):
        clock = clock_from_setting("2025-07-01")
        assert isinstance(clock, ShiftedClock)
        now = clock.now()
        assert now.date() == date(2025, 7, 1)
        assert now - datetime(2025, 7, 1, tzinfo=SHANGHAI) < timedelta(seconds=5)

    def test_naive_datetime_is_read_as_shanghai(self):
        now = clock_from_setting("2025-07-01T09:30:00").now()
        assert now - datetime(2025, 7, 1, 9, 30, tzinfo=SHANGHAI) < timedelta(seconds=5)
        assert now >= datetime(2025, 7, 1, 1, 30, tzinfo=UTC)

    def test_aware_datetime_keeps_its_offset(self):
        clock = clock_from_setting("2025-06-30T17:00:00+00:00")
        assert clock.today() == date(2025, 7, 1)
        assert clock.now() - datetime(2025, 6, 30, 17, 0, tzinfo=UTC) < timedelta(seconds=5)

    def test_frozen_prefix_gives_a_frozen_clock(self):
        clock = clock_from_setting("frozen:2025-06-30T17:00:00Z")
        assert isinstance(clock, FrozenClock)
        assert clock.now() == datetime(2025, 6, 30, 17, 0, tzinfo=UTC)
        assert clock.today() == date(2025, 7, 1)
        assert clock_from_setting("frozen:2025-07-01").now() == datetime(2025, 7, 1, tzinfo=SHANGHAI)

    @pytest.mark.parametrize("value", ["yesterday", "2025-13-01", "frozen:", "frozen:soon", "2025/07/01"])
    def test_garbage_is_refused(self, value):
        with pytest.raises(ValueError, match="clock setting"):
            clock_from_setting(value)

    @pytest.mark.parametrize("value", [None, "2025-07-01", "frozen:2025-07-01"])
    def test_every_choice_satisfies_the_clock_protocol(self, value):
        assert isinstance(clock_from_setting(value), Clock)
