"""DESIGN §3 "Money is exact": integer fen inside, yuan strings outside, half-up rounding,
splits whose rounding remainder goes to the last part (SET-6: tranches sum to the total)."""

import json
import random
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from vbpkit.domain.money import (
    MoneyError,
    NonNegativeYuan,
    Yuan,
    format_yuan,
    multiply_half_up,
    parse_yuan,
    split,
)


class TestYuanIsParsedToExactFen:
    """§3: amounts arrive as yuan with at most 2 decimals and are kept as integer fen."""

    @pytest.mark.parametrize(
        ("value", "fen"),
        [
            ("730", 73000),
            ("730.5", 73050),
            ("730.50", 73050),
            ("0.01", 1),
            ("0", 0),
            (730, 73000),
            (Decimal("730.05"), 73005),
            (Decimal("730.500"), 73050),
            ("12345678901234567890.99", 1234567890123456789099),
        ],
    )
    def test_accepted_forms_give_exact_fen(self, value, fen):
        assert parse_yuan(value) == fen

    def test_negative_amount_is_accepted_only_when_allowed(self):
        assert parse_yuan("-0.05", allow_negative=True) == -5
        assert parse_yuan(Decimal("-730"), allow_negative=True) == -73000
        with pytest.raises(MoneyError, match="negative"):
            parse_yuan("-0.05")


class TestInexactOrMalformedAmountsAreRefused:
    """§3: more precision than the fen is a 422; floats are never exact enough to accept."""

    def test_three_decimals_are_refused_with_a_clear_reason(self):
        with pytest.raises(MoneyError) as caught:
            parse_yuan("730.005")
        assert caught.value.reason == "at most 2 decimal places are allowed"

    def test_decimal_finer_than_a_fen_is_refused(self):
        with pytest.raises(MoneyError, match="2 decimal places"):
            parse_yuan(Decimal("0.001"))

    @pytest.mark.parametrize(
        "value",
        ["", " ", "abc", "1e3", "1E3", "NaN", "Infinity", "+5", ".5", "5.", "7 30", " 730", "1,000"],
    )
    def test_malformed_strings_are_refused(self, value):
        with pytest.raises(MoneyError):
            parse_yuan(value)

    @pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
    def test_non_finite_decimals_are_refused(self, value):
        with pytest.raises(MoneyError, match="finite"):
            parse_yuan(value, allow_negative=True)

    @pytest.mark.parametrize("value", [730.5, 0.1, True, False, None, [730]])
    def test_floats_bools_and_other_types_are_refused(self, value):
        with pytest.raises(MoneyError):
            parse_yuan(value)

    def test_money_error_is_a_value_error(self):
        assert issubclass(MoneyError, ValueError)


class TestFenIsFormattedAsYuanWithTwoDecimals:
    """§3: the API shows yuan strings like "730.00"."""

    @pytest.mark.parametrize(
        ("fen", "text"),
        [(73000, "730.00"), (73050, "730.50"), (1, "0.01"), (-5, "-0.05"), (0, "0.00"), (-73001, "-730.01")],
    )
    def test_format(self, fen, text):
        assert format_yuan(fen) == text

    @pytest.mark.parametrize("fen", [-100001, -5, 0, 7, 99, 100, 123456789])
    def test_format_then_parse_round_trips(self, fen):
        assert parse_yuan(format_yuan(fen), allow_negative=True) == fen


class TestDerivedAmountsRoundHalfUpToTheFen:
    """§3: a derived amount is rounded half-up (away from zero on an exact half)."""

    @pytest.mark.parametrize(
        ("fen", "factor", "expected"),
        [
            (1, "0.5", 1),
            (-1, "0.5", -1),
            (73000, "0.3", 21900),
            (333, "0.5", 167),
            (333, Decimal("0.5"), 167),
            (-333, "0.5", -167),
            (1, "0.49", 0),
            (-1, "0.49", 0),
            (3, "0.5", 2),
            (100, 3, 300),
            (1, "0.4999999999999999999999999999999999", 0),
            (10**30 + 1, "0.5", 5 * 10**29 + 1),
        ],
    )
    def test_half_up(self, fen, factor, expected):
        assert multiply_half_up(fen, factor) == expected

    @pytest.mark.parametrize("factor", [0.5, True, "abc", "NaN", Decimal("Infinity")])
    def test_inexact_factor_is_refused(self, factor):
        with pytest.raises(MoneyError):
            multiply_half_up(100, factor)


class TestSplitGivesTheRemainderToTheLastPart:
    """§3 "a split gives the rounding remainder to its last part so the parts sum to the
    whole"; SET-6: tranches sum to the total and no amount is negative."""

    def test_each_part_is_rounded_half_up_and_last_takes_remainder(self):
        assert split(100, [1, 1, 1]) == [33, 33, 34]
        assert split(73000, ["0.3", "0.7"]) == [21900, 51100]
        assert split(5, [1, 1]) == [3, 2]  # 2.5 rounds up; the last part absorbs it

    def test_single_weight_takes_everything(self):
        assert split(12345, [Decimal("7")]) == [12345]

    def test_zero_weight_parts_get_nothing(self):
        assert split(1000, [0, 1, 0, 1]) == [0, 500, 0, 500]

    def test_remainder_never_goes_negative_after_many_round_ups(self):
        # Three shares of 1.6666 round up to 2 each (6 > 5); the last weight is ~0.
        parts = split(5, [1, 1, 1, "0.001"])
        assert sum(parts) == 5
        assert min(parts) >= 0
        assert parts == [2, 2, 1, 0]

    def test_parts_always_sum_to_total_and_are_never_negative(self):
        rng = random.Random(20250701)
        for _ in range(5000):
            total = rng.choice([0, 1, 2, 3, 5, 99, 100, 101, rng.randrange(0, 10**9)])
            count = rng.randrange(1, 8)
            weights = [
                rng.choice([0, 1, rng.randrange(1, 1000), Decimal(rng.randrange(0, 10**4)) / 1000, "0.001"])
                for _ in range(count)
            ]
            if all(Decimal(str(w)) == 0 for w in weights):
                weights[-1] = 1
            parts = split(total, weights)
            assert len(parts) == count, (total, weights)
            assert sum(parts) == total, (total, weights, parts)
            assert min(parts) >= 0, (total, weights, parts)
            weight_sum = sum(Decimal(str(w)) for w in weights)
            for part, weight in zip(parts[:-1], weights[:-1]):
                share = Decimal(total) * Decimal(str(weight)) / weight_sum
                assert abs(part - share) <= 1, (total, weights, parts)

    def test_negative_total_also_sums_exactly(self):
        parts = split(-100, [1, 1, 1])
        assert parts == [-33, -33, -34]

    @pytest.mark.parametrize("weights", [[], [1, -1], [0, 0], ["0", Decimal("0.00")], [0.5, 0.5]])
    def test_unusable_weights_are_refused(self, weights):
        with pytest.raises(MoneyError):
            split(100, weights)


class Price(BaseModel):
    amount: Yuan
    paid: NonNegativeYuan = 0


class TestApiYuanFieldsHoldFenAndSpeakYuanStrings:
    """§3: the API takes and returns yuan strings; more than 2 decimals is a 422."""

    def test_json_string_is_stored_as_fen_and_dumped_as_yuan(self):
        price = Price.model_validate_json('{"amount": "730.5", "paid": "12"}')
        assert price.amount == 73050
        assert price.paid == 1200
        assert price.model_dump(mode="json") == {"amount": "730.50", "paid": "12.00"}
        assert json.loads(price.model_dump_json()) == {"amount": "730.50", "paid": "12.00"}

    def test_json_int_is_read_as_yuan(self):
        assert Price.model_validate_json('{"amount": 730}').amount == 73000

    def test_python_dump_round_trips_without_inflating_fen(self):
        price = Price(amount="730.00")
        assert Price.model_validate(price.model_dump()).amount == 73000

    def test_three_decimals_are_a_validation_error_with_the_reason(self):
        with pytest.raises(ValidationError) as caught:
            Price.model_validate_json('{"amount": "730.005"}')
        assert "at most 2 decimal places are allowed" in str(caught.value)

    @pytest.mark.parametrize("raw", ['{"amount": 730.5}', '{"amount": "1e3"}', '{"amount": true}', '{"amount": ""}'])
    def test_floats_and_malformed_values_are_validation_errors(self, raw):
        with pytest.raises(ValidationError):
            Price.model_validate_json(raw)

    def test_yuan_may_be_negative_but_non_negative_yuan_may_not(self):
        assert Price.model_validate_json('{"amount": "-0.05"}').amount == -5
        with pytest.raises(ValidationError, match="negative"):
            Price.model_validate_json('{"amount": "1", "paid": "-0.05"}')

    def test_json_schema_is_a_yuan_string(self):
        properties = Price.model_json_schema()["properties"]
        assert properties["amount"]["type"] == "string"
        assert properties["amount"]["pattern"] == r"^-?\d+(\.\d{1,2})?$"
        assert properties["amount"]["examples"] == ["730.00"]
        assert properties["paid"]["pattern"] == r"^\d+(\.\d{1,2})?$"


class TestYuanFromFenIsForResponses:
    """§3 money: a response built from fen shows yuan, never a hundredfold amount."""

    def test_fen_in_yuan_string_out(self):
        from pydantic import BaseModel

        from vbpkit.domain.money import YuanFromFen

        class Out(BaseModel):
            amount: YuanFromFen

        assert Out(amount=73000).model_dump(mode="json") == {"amount": "730.00"}
        assert Out.model_json_schema()["properties"]["amount"]["type"] == "string"

    def test_a_yuan_string_is_never_taken_for_fen(self):
        import pytest
        from pydantic import BaseModel, ValidationError

        from vbpkit.domain.money import YuanFromFen

        class Out(BaseModel):
            amount: YuanFromFen

        with pytest.raises(ValidationError):
            Out(amount="680.00")
