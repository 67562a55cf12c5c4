"""Execution-policy presets and overrides (DESIGN §4, CAT-1, CON-3, SET-1..SET-5)."""

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError
from vbpkit.domain.policy import (
    PRESETS,
    ExecutionPolicy,
    UnknownPreset,
    policy_from_preset,
    tranche_due_dates,
    tranche_schedule,
)


def _locations(error: ValidationError) -> list[tuple]:
    return [e["loc"] for e in error.errors()]


class TestPresetsMatchDesignSection4:
    """CAT-1 / §4: each preset holds the values of its seed."""

    def test_exactly_the_four_presets_exist_and_each_names_itself(self):
        assert list(PRESETS) == ["chongqing-2025", "chongqing-stent-2023", "liaoning-2025", "chuxiong-2022"]
        for name, policy in PRESETS.items():
            assert policy.preset == name

    @pytest.mark.parametrize("name", list(PRESETS))
    def test_every_preset_survives_a_json_round_trip(self, name):
        policy = PRESETS[name]
        assert ExecutionPolicy.model_validate_json(policy.model_dump_json()) == policy

    def test_chongqing_2025(self):
        p = PRESETS["chongqing-2025"]
        assert p.renewal.model_dump() == {"kind": "per_item_of_previous_agreed", "min_ratio": Decimal(1)}
        assert p.buy_below_winning_price is True
        assert p.prepayment_ratio == Decimal(1)
        assert p.prepayment_frequency == "once_per_cycle"
        assert [(t.share, t.due.model_dump()) for t in p.tranches] == [
            (Decimal("0.5"), {"kind": "end_of_month_after_start"}),
            (Decimal("0.5"), {"kind": "end_of_nth_month", "month": 6}),
        ]
        assert p.offsets.model_dump() == {"kind": "after_cycle_end", "refund_after_months": 12}
        assert p.supplier_payment_due.model_dump() == {"kind": "end_of_following_month"}
        assert p.direct_settlement == "no"
        assert p.lower_price_window_working_days is None  # set on a seed-002 batch

    def test_chongqing_stent_2023(self):
        p = PRESETS["chongqing-stent-2023"]
        assert p.renewal.model_dump() == {
            "kind": "stent",
            "hospital_total_min_ratio_of_previous_actual": Decimal("0.95"),
            "company_min_ratio_of_previous_agreed": Decimal("0.90"),
        }
        assert p.buy_below_winning_price is False
        assert p.prepayment_ratio == Decimal(1)
        assert p.prepayment_frequency == "once_per_cycle"
        assert p.tranches == PRESETS["chongqing-2025"].tranches
        assert p.offsets.model_dump() == {"kind": "after_cycle_end", "refund_after_months": None}
        assert p.supplier_payment_due.model_dump() == {"kind": "end_of_following_month"}
        assert p.direct_settlement == "no"
        assert p.lower_price_window_working_days is None

    def test_liaoning_2025(self):
        p = PRESETS["liaoning-2025"]
        assert p.renewal.model_dump() == {"kind": "per_item_of_first_year", "min_ratio": Decimal(1)}
        assert p.buy_below_winning_price is None  # seed 001 is silent
        assert p.prepayment_ratio == Decimal("0.5")
        assert p.prepayment_frequency == "once_per_cycle"
        assert [(t.share, t.due.model_dump()) for t in p.tranches] == [
            (Decimal(1), {"kind": "before_start", "days_before": 0}),
        ]
        assert p.offsets.model_dump() == {"kind": "after_cycle_end", "refund_after_months": None}
        assert p.supplier_payment_due.model_dump() == {"kind": "end_of_following_month"}
        assert p.direct_settlement == "optional"
        assert p.lower_price_window_working_days is None

    def test_chuxiong_2022(self):
        p = PRESETS["chuxiong-2022"]
        assert p.renewal.model_dump() == {"kind": "retender"}
        assert p.buy_below_winning_price is None  # seed 004 is silent
        assert p.prepayment_ratio == Decimal("0.3")
        assert p.prepayment_frequency == "per_agreement_year"
        assert [(t.share, t.due.model_dump()) for t in p.tranches] == [
            (Decimal(1), {"kind": "end_of_month_after_start"}),
        ]
        assert p.offsets.model_dump() == {"kind": "progressive_by_accepted_amount"}
        assert p.supplier_payment_due.model_dump() == {"kind": "days_after_acceptance", "days": 30}
        assert p.direct_settlement == "optional"
        assert p.lower_price_window_working_days is None

    @pytest.mark.parametrize("name", list(PRESETS))
    def test_monitoring_thresholds_default_where_the_seeds_are_silent(self, name):
        p = PRESETS[name]
        assert p.stockpiling_factor == Decimal(2)
        assert p.progress_tolerance_points == 10
        assert p.substitute_share_alert == Decimal("0.3")
        assert p.substitute_rise_points == 10
        assert (p.differential_pricing.strength, p.differential_pricing.pack) == (Decimal("1.7"), Decimal("1.95"))

    def test_a_preset_policy_is_immutable(self):
        with pytest.raises(ValidationError):
            PRESETS["chongqing-2025"].prepayment_ratio = Decimal("0.5")


class TestOverridesMergeIntoThePreset:
    """CAT-1: a batch names a preset and overrides some of its fields."""

    def test_no_overrides_gives_the_preset(self):
        assert policy_from_preset("liaoning-2025", None) == PRESETS["liaoning-2025"]

    def test_a_seed_002_batch_sets_the_lower_price_window_and_forbids_buying_below(self):
        policy = policy_from_preset(
            "chongqing-2025", {"lower_price_window_working_days": 20, "buy_below_winning_price": False}
        )
        assert policy.lower_price_window_working_days == 20
        assert policy.buy_below_winning_price is False
        assert policy.preset == "chongqing-2025"
        assert policy.tranches == PRESETS["chongqing-2025"].tranches

    def test_a_nested_override_keeps_the_rules_other_fields(self):
        policy = policy_from_preset("chongqing-2025", {"renewal": {"min_ratio": "0.9"}})
        assert policy.renewal.kind == "per_item_of_previous_agreed"
        assert policy.renewal.min_ratio == Decimal("0.9")

    def test_a_nested_override_of_one_coefficient_keeps_the_other(self):
        policy = policy_from_preset("chongqing-2025", {"differential_pricing": {"strength": "1.8"}})
        assert policy.differential_pricing.strength == Decimal("1.8")
        assert policy.differential_pricing.pack == Decimal("1.95")

    def test_an_override_naming_another_kind_replaces_the_rule(self):
        policy = policy_from_preset(
            "chongqing-2025", {"offsets": {"kind": "progressive_by_accepted_amount"}}
        )
        assert policy.offsets.kind == "progressive_by_accepted_amount"

    def test_a_list_override_replaces_the_list(self):
        policy = policy_from_preset(
            "chongqing-2025",
            {"tranches": [{"share": "1", "due": {"kind": "end_of_nth_month", "month": 3}}]},
        )
        assert len(policy.tranches) == 1
        assert policy.tranches[0].due.month == 3

    def test_list_items_are_not_merged_with_the_presets_items(self):
        with pytest.raises(ValidationError) as raised:
            policy_from_preset("liaoning-2025", {"tranches": [{"share": "1", "due": {"days_before": 10}}]})
        assert _locations(raised.value) == [("tranches", 0, "due")]

    def test_overrides_do_not_change_the_preset(self):
        policy_from_preset("chongqing-2025", {"renewal": {"min_ratio": "0.5"}})
        assert PRESETS["chongqing-2025"].renewal.min_ratio == Decimal("1.0")

    def test_an_unknown_preset_names_the_known_ones(self):
        with pytest.raises(UnknownPreset) as raised:
            policy_from_preset("shanghai-2030", {})
        assert isinstance(raised.value, ValueError)
        assert raised.value.preset == "shanghai-2030"
        for name in PRESETS:
            assert name in str(raised.value)

    def test_the_preset_name_cannot_be_overridden(self):
        with pytest.raises(ValidationError) as raised:
            policy_from_preset("chongqing-2025", {"preset": "chuxiong-2022"})
        assert _locations(raised.value) == [("preset",)]


class TestInvalidPolicyIsRefusedWithItsLocation:
    """CAT-1 / §5: a bad override is a validation error locating the field."""

    @pytest.mark.parametrize("ratio", ["1.5", "-0.1"])
    def test_a_prepayment_ratio_outside_zero_to_one(self, ratio):
        with pytest.raises(ValidationError) as raised:
            policy_from_preset("chongqing-2025", {"prepayment_ratio": ratio})
        assert _locations(raised.value) == [("prepayment_ratio",)]

    def test_a_float_ratio_is_refused_as_inexact(self):
        with pytest.raises(ValidationError) as raised:
            policy_from_preset("chongqing-2025", {"prepayment_ratio": 0.3})
        assert _locations(raised.value) == [("prepayment_ratio",)]
        assert "decimal string" in raised.value.errors()[0]["msg"]

    @pytest.mark.parametrize("days", [-1, 0])
    def test_a_lower_price_window_below_one_working_day(self, days):
        with pytest.raises(ValidationError) as raised:
            policy_from_preset("chongqing-2025", {"lower_price_window_working_days": days})
        assert _locations(raised.value) == [("lower_price_window_working_days",)]

    def test_an_unknown_field(self):
        with pytest.raises(ValidationError) as raised:
            policy_from_preset("chongqing-2025", {"prepayment_ration": "0.5"})
        assert _locations(raised.value) == [("prepayment_ration",)]

    def test_an_unknown_nested_field(self):
        with pytest.raises(ValidationError) as raised:
            policy_from_preset("chongqing-2025", {"offsets": {"refund_after_month": 6}})
        assert _locations(raised.value) == [("offsets", "after_cycle_end", "refund_after_month")]

    def test_an_unknown_rule_kind(self):
        with pytest.raises(ValidationError) as raised:
            policy_from_preset("chongqing-2025", {"renewal": {"kind": "whatever"}})
        assert _locations(raised.value) == [("renewal",)]

    def test_a_stent_rule_missing_a_ratio(self):
        with pytest.raises(ValidationError) as raised:
            policy_from_preset(
                "chongqing-2025",
                {"renewal": {"kind": "stent", "hospital_total_min_ratio_of_previous_actual": "0.95"}},
            )
        assert _locations(raised.value) == [("renewal", "stent", "company_min_ratio_of_previous_agreed")]

    def test_supplier_payment_days_must_be_positive(self):
        with pytest.raises(ValidationError) as raised:
            policy_from_preset("chuxiong-2022", {"supplier_payment_due": {"days": 0}})
        assert _locations(raised.value) == [("supplier_payment_due", "days_after_acceptance", "days")]

    def test_a_month_zero_tranche(self):
        with pytest.raises(ValidationError) as raised:
            policy_from_preset(
                "chuxiong-2022", {"tranches": [{"share": "1", "due": {"kind": "end_of_nth_month", "month": 0}}]}
            )
        assert _locations(raised.value) == [("tranches", 0, "due", "end_of_nth_month", "month")]


class TestTrancheSharesSumToOne:
    """SET-3 / SET-6: the tranches split the whole prepayment."""

    @pytest.mark.parametrize("shares", [["0.5"], ["0.5", "0.6"], ["0.3", "0.3", "0.3"]])
    def test_shares_not_summing_to_one_are_refused(self, shares):
        tranches = [{"share": s, "due": {"kind": "end_of_month_after_start"}} for s in shares]
        with pytest.raises(ValidationError) as raised:
            policy_from_preset("chongqing-2025", {"tranches": tranches})
        assert _locations(raised.value) == [("tranches",)]

    def test_thirds_written_exactly_enough_are_accepted(self):
        tranches = [{"share": s, "due": {"kind": "end_of_month_after_start"}} for s in ["0.33", "0.33", "0.34"]]
        assert len(policy_from_preset("chongqing-2025", {"tranches": tranches}).tranches) == 3

    def test_no_tranches_are_refused(self):
        with pytest.raises(ValidationError) as raised:
            policy_from_preset("chongqing-2025", {"tranches": []})
        assert _locations(raised.value) == [("tranches",)]

    def test_a_zero_share_is_refused(self):
        tranches = [
            {"share": "0", "due": {"kind": "end_of_month_after_start"}},
            {"share": "1", "due": {"kind": "end_of_month_after_start"}},
        ]
        with pytest.raises(ValidationError) as raised:
            policy_from_preset("chongqing-2025", {"tranches": tranches})
        assert _locations(raised.value) == [("tranches", 0, "share")]


class TestTrancheDueDates:
    """SET-3: each tranche's due date from the execution start (§4)."""

    def test_section_4_example_half_next_month_end_rest_sixth_month_end(self):
        policy = PRESETS["chongqing-2025"]
        assert tranche_due_dates(policy, date(2025, 6, 20)) == [date(2025, 7, 31), date(2025, 11, 30)]

    def test_month_one_is_the_start_month_even_on_its_last_day(self):
        policy = PRESETS["chongqing-stent-2023"]
        # seed 003 starts 2023-01-31: next month end is February's last day, 6th month June.
        assert tranche_due_dates(policy, date(2023, 1, 31)) == [date(2023, 2, 28), date(2023, 6, 30)]

    def test_months_carry_into_the_next_year_and_leap_february(self):
        policy = policy_from_preset(
            "chuxiong-2022",
            {"tranches": [
                {"share": "0.5", "due": {"kind": "end_of_nth_month", "month": 3}},
                {"share": "0.5", "due": {"kind": "end_of_nth_month", "month": 14}},
            ]},
        )
        assert tranche_due_dates(policy, date(2023, 12, 5)) == [date(2024, 2, 29), date(2025, 1, 31)]

    def test_end_of_month_after_a_december_start_is_january_end(self):
        assert tranche_due_dates(PRESETS["chuxiong-2022"], date(2022, 12, 15)) == [date(2023, 1, 31)]

    def test_all_before_start_is_due_the_day_before(self):
        assert tranche_due_dates(PRESETS["liaoning-2025"], date(2025, 6, 25)) == [date(2025, 6, 24)]

    def test_days_before_moves_the_due_date_earlier(self):
        policy = policy_from_preset(
            "liaoning-2025", {"tranches": [{"share": "1", "due": {"kind": "before_start", "days_before": 10}}]}
        )
        assert tranche_due_dates(policy, date(2025, 7, 1)) == [date(2025, 6, 20)]

    def test_each_tranche_is_explained(self):
        schedule = tranche_schedule(PRESETS["chongqing-2025"], date(2025, 6, 20))
        assert [t.share for t in schedule] == [Decimal("0.5"), Decimal("0.5")]
        assert schedule[1].explain == {
            "rule": "SET-3",
            "preset": "chongqing-2025",
            "start": "2025-06-20",
            "tranche": 2,
            "share": "0.5",
            "due": {"kind": "end_of_nth_month", "month": 6},
            "due_on": "2025-11-30",
        }
        assert schedule[0].explain["due_on"] == "2025-07-31"
