"""The date rules the execution policy drives (vbpkit.domain.policy.dates): CAT-1 cycle end,
CON-2 agreement years, SET-3 tranche due dates, SET-1 supplier payment due, SET-4 first
offset month and refund month — with their boundaries (month ends, leap years, Dec→Jan,
early end, extension)."""

from datetime import date

import pytest

from vbpkit.domain.policy import (
    PRESETS,
    Cycle,
    agreement_year_bounds,
    agreement_year_of,
    agreement_years,
    cycle_end,
    first_offset_month,
    ordering_year,
    policy_from_preset,
    refund_month,
    supplier_payment_due,
    tranche_due_dates,
    tranche_schedule,
)

CHONGQING = PRESETS["chongqing-2025"]
STENT = PRESETS["chongqing-stent-2023"]
LIAONING = PRESETS["liaoning-2025"]
CHUXIONG = PRESETS["chuxiong-2022"]


class TestCycleEnd:
    """CAT-1: a cycle of whole years ends the day before the start's anniversary."""

    def test_seed_000_two_years_from_2025_06_20_end_2027_06_19(self):
        end = cycle_end(date(2025, 6, 20), 2, preset="chongqing-2025")
        assert end.value == date(2027, 6, 19)
        assert end.explain["rule"] == "CAT-1" and end.explain["preset"] == "chongqing-2025"
        assert end.explain["cycle_years"] == 2 and end.explain["ends_on"] == "2027-06-19"

    def test_a_start_on_the_first_of_january_ends_on_new_years_eve(self):
        assert cycle_end(date(2025, 1, 1), 1).value == date(2025, 12, 31)

    def test_a_start_on_29_february_ends_on_28_february_of_a_common_year(self):
        # the anniversary of 29 Feb in a common year is 1 March; the cycle ends the day before
        assert cycle_end(date(2024, 2, 29), 1).value == date(2025, 2, 28)
        assert cycle_end(date(2024, 2, 29), 4).value == date(2028, 2, 28)

    def test_a_start_on_1_march_of_a_leap_year_ends_on_29_february(self):
        assert cycle_end(date(2023, 3, 1), 1).value == date(2024, 2, 29)

    def test_zero_years_is_refused(self):
        with pytest.raises(ValueError):
            cycle_end(date(2025, 6, 20), 0)


class TestAgreementYears:
    """CON-2: an agreement year runs from an anniversary of the start to the day before the
    next, cut at the cycle's end in force (an extension or an early end)."""

    CYCLE = Cycle(starts_on=date(2025, 6, 20), ends_on=date(2027, 6, 19), preset="chongqing-2025")

    def test_a_two_year_cycle_has_two_years_with_their_bounds(self):
        assert agreement_years(self.CYCLE).value == 2
        first = agreement_year_bounds(self.CYCLE, 1)
        assert (first.value.first, first.value.last) == (date(2025, 6, 20), date(2026, 6, 19))
        second = agreement_year_bounds(self.CYCLE, 2).value
        assert (second.first, second.last) == (date(2026, 6, 20), date(2027, 6, 19))
        assert first.explain["rule"] == "CON-2" and first.explain["preset"] == "chongqing-2025"

    def test_the_day_before_an_anniversary_is_still_the_earlier_year(self):
        assert agreement_year_of(self.CYCLE, date(2026, 6, 19)).value == 1
        assert agreement_year_of(self.CYCLE, date(2026, 6, 20)).value == 2

    def test_the_first_and_last_day_of_the_cycle_are_in_it_and_outside_is_none(self):
        assert agreement_year_of(self.CYCLE, date(2025, 6, 20)).value == 1
        assert agreement_year_of(self.CYCLE, date(2027, 6, 19)).value == 2
        assert agreement_year_of(self.CYCLE, date(2025, 6, 19)).value is None
        outside = agreement_year_of(self.CYCLE, date(2027, 6, 20))
        assert outside.value is None and outside.explain["day"] == "2027-06-20"

    def test_an_early_end_cuts_the_year_it_falls_in_and_drops_the_rest(self):
        # seed 000: the category entered national VBP; the results stop on that day
        ended = Cycle(starts_on=date(2025, 6, 20), ends_on=date(2026, 3, 31))
        assert agreement_years(ended).value == 1
        assert agreement_year_bounds(ended, 1).value.last == date(2026, 3, 31)
        assert agreement_year_of(ended, date(2026, 4, 1)).value is None
        with pytest.raises(ValueError):
            agreement_year_bounds(ended, 2)

    def test_an_extension_past_an_anniversary_adds_a_short_last_year(self):
        # seed 000: ops extend the cycle; the months past the last anniversary are a year more
        extended = Cycle(starts_on=date(2025, 6, 20), ends_on=date(2027, 12, 31))
        assert agreement_years(extended).value == 3
        third = agreement_year_bounds(extended, 3).value
        assert (third.first, third.last) == (date(2027, 6, 20), date(2027, 12, 31))
        assert agreement_year_of(extended, date(2027, 12, 31)).value == 3

    def test_a_start_on_29_february_counts_years_from_1_march(self):
        leap = Cycle(starts_on=date(2024, 2, 29), ends_on=date(2026, 2, 28))
        assert agreement_year_bounds(leap, 1).value.last == date(2025, 2, 28)
        assert agreement_year_of(leap, date(2025, 3, 1)).value == 2

    def test_a_cycle_ending_before_it_starts_is_refused(self):
        with pytest.raises(ValueError):
            Cycle(starts_on=date(2025, 6, 20), ends_on=date(2025, 6, 19))


class TestTrancheDueDates:
    """SET-3/§4: "the 6th month" counts the month of the execution start as month 1."""

    def test_chongqing_half_by_end_of_next_month_rest_by_end_of_6th_month(self):
        assert tranche_due_dates(CHONGQING, date(2025, 6, 20)) == [date(2025, 7, 31), date(2025, 11, 30)]
        assert tranche_due_dates(STENT, date(2025, 6, 20)) == [date(2025, 7, 31), date(2025, 11, 30)]

    def test_a_start_in_december_rolls_into_the_next_year(self):
        assert tranche_due_dates(CHONGQING, date(2025, 12, 1)) == [date(2026, 1, 31), date(2026, 5, 31)]

    def test_a_start_in_january_of_a_leap_year_is_due_on_29_february(self):
        assert tranche_due_dates(CHONGQING, date(2024, 1, 31))[0] == date(2024, 2, 29)
        assert tranche_due_dates(CHONGQING, date(2025, 1, 31))[0] == date(2025, 2, 28)

    def test_liaoning_all_before_the_start(self):
        assert tranche_due_dates(LIAONING, date(2025, 7, 1)) == [date(2025, 6, 30)]

    def test_chuxiong_default_all_by_end_of_month_after_start(self):
        assert tranche_due_dates(CHUXIONG, date(2022, 12, 15)) == [date(2023, 1, 31)]

    def test_each_tranche_explains_its_rule_preset_and_due_date(self):
        second = tranche_schedule(CHONGQING, date(2025, 6, 20))[1]
        assert second.explain["rule"] == "SET-3" and second.explain["preset"] == "chongqing-2025"
        assert second.explain["due"] == {"kind": "end_of_nth_month", "month": 6}
        assert second.explain["due_on"] == "2025-11-30"


class TestSupplierPaymentDue:
    """SET-1: end of the month after acceptance (seeds 000–003), acceptance + 30 days (004)."""

    def test_end_of_the_month_after_acceptance(self):
        due = supplier_payment_due(CHONGQING, date(2025, 7, 1))
        assert due.value == date(2025, 8, 31)
        assert due.explain["rule"] == "SET-1" and due.explain["due"] == {"kind": "end_of_following_month"}

    def test_accepted_on_a_month_end_is_due_at_the_next_month_end(self):
        assert supplier_payment_due(LIAONING, date(2025, 1, 31)).value == date(2025, 2, 28)
        assert supplier_payment_due(STENT, date(2024, 1, 31)).value == date(2024, 2, 29)

    def test_accepted_in_december_is_due_at_the_end_of_january(self):
        assert supplier_payment_due(CHONGQING, date(2025, 12, 15)).value == date(2026, 1, 31)

    def test_chuxiong_thirty_days_after_acceptance(self):
        assert supplier_payment_due(CHUXIONG, date(2022, 12, 15)).value == date(2023, 1, 14)
        assert supplier_payment_due(CHUXIONG, date(2024, 2, 1)).value == date(2024, 3, 2)  # 29 days in Feb 2024
        assert supplier_payment_due(CHUXIONG, date(2022, 12, 15)).explain["preset"] == "chuxiong-2022"

    def test_an_override_of_the_days_is_honoured(self):
        policy = policy_from_preset("chuxiong-2022", {"supplier_payment_due": {"days": 15}})
        assert supplier_payment_due(policy, date(2022, 12, 20)).value == date(2023, 1, 4)


class TestOffsetsAndRefund:
    """SET-4: after-cycle offsets start the month after the cycle's end in force; Chongqing
    (000/002) demands back what is left 12 months later; seed 003 keeps deducting."""

    CYCLE = Cycle(starts_on=date(2025, 6, 20), ends_on=date(2027, 6, 19))

    def test_chongqing_offsets_from_the_month_after_the_cycle_and_refund_12_months_later(self):
        first = first_offset_month(CHONGQING, self.CYCLE)
        assert first.value == date(2027, 7, 1)
        assert first.explain["rule"] == "SET-4" and first.explain["first_offset_month"] == "2027-07"
        refund = refund_month(CHONGQING, self.CYCLE)
        assert refund.value == date(2028, 7, 1) and refund.explain["refund_month"] == "2028-07"

    def test_a_cycle_ending_in_december_offsets_from_january(self):
        cycle = Cycle(starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
        assert first_offset_month(CHONGQING, cycle).value == date(2026, 1, 1)
        assert refund_month(CHONGQING, cycle).value == date(2027, 1, 1)

    def test_an_early_end_brings_offsets_forward_and_an_extension_pushes_them_back(self):
        ended = Cycle(starts_on=date(2025, 6, 20), ends_on=date(2026, 9, 30))
        extended = Cycle(starts_on=date(2025, 6, 20), ends_on=date(2027, 12, 31))
        assert first_offset_month(CHONGQING, ended).value == date(2026, 10, 1)
        assert first_offset_month(CHONGQING, extended).value == date(2028, 1, 1)

    def test_seed_003_and_liaoning_have_no_refund(self):
        assert first_offset_month(STENT, self.CYCLE).value == date(2027, 7, 1)
        assert refund_month(STENT, self.CYCLE).value is None
        assert first_offset_month(LIAONING, self.CYCLE).value == date(2027, 7, 1)
        assert refund_month(LIAONING, self.CYCLE).value is None

    def test_chuxiong_offsets_progressively_from_the_start_and_never_refunds(self):
        cycle = Cycle(starts_on=date(2022, 12, 15), ends_on=date(2024, 12, 14))
        first = first_offset_month(CHUXIONG, cycle)
        assert first.value == date(2022, 12, 1)
        assert first.explain["offsets"] == {"kind": "progressive_by_accepted_amount"}
        assert refund_month(CHUXIONG, cycle).value is None


@pytest.mark.parametrize("day, stocking, year", [
    (date(2026, 6, 27), 3, None),   # four days before: no order yet
    (date(2026, 6, 28), 3, 1),      # CON-9: the three days before the start count towards year 1
    (date(2026, 6, 30), 3, 1),
    (date(2026, 6, 30), 0, None),   # no stocking days: nothing before the start
    (date(2026, 7, 1), 3, 1),
    (date(2027, 7, 1), 3, 2),
])
def test_con9_an_order_in_the_stocking_days_counts_towards_year_one(day, stocking, year):
    """Seed 001: 在执行之日起的前3天按临床需求提前完成备货."""
    cycle = Cycle(starts_on=date(2026, 7, 1), ends_on=date(2028, 6, 30), preset="liaoning-2025")
    assert ordering_year(cycle, day, stocking).value == year
