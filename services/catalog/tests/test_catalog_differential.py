"""CAT-8: differential pricing (差比价) of another spec or pack (seed 002, 发改价格〔2011〕2452号)."""

from decimal import Decimal

import pytest
from vbp_catalog.differential import differential_price


def _price(reference_price_fen, reference_strength="1", strength="1", reference_pack=10, pack=10, **coefficients):
    return differential_price(
        reference_price_fen,
        reference_strength=Decimal(reference_strength),
        strength=Decimal(strength),
        reference_pack=reference_pack,
        pack=pack,
        **coefficients,
    )


class TestSameSpecKeepsThePrice:
    """CAT-8: ratio 1 in both dimensions → factor 1."""

    @pytest.mark.parametrize("fen", [1, 73000, 123457])
    def test_equal_spec(self, fen):
        result = _price(fen, "0.25", "0.250", 14, 14)
        assert result.price_fen == fen
        assert result.explain()["factor"] == "1.000000000000"


class TestDoublingsAreExact:
    """CAT-8: a doubling multiplies by the coefficient exactly (no ln/exp error)."""

    def test_double_strength_multiplies_by_1_7(self):
        assert _price(73000, "0.25", "0.5").price_fen == 124100

    def test_double_pack_multiplies_by_1_95(self):
        assert _price(73000, reference_pack=14, pack=28).price_fen == 142350

    def test_four_times_the_strength_is_1_7_squared(self):
        assert _price(10000, "5", "20").price_fen == 28900

    def test_half_the_pack_divides_by_1_95_rounded_half_up(self):
        # 1000 ÷ 1.95 = 512.82… fen → 513
        assert _price(1000, reference_pack=14, pack=7).price_fen == 513

    def test_half_a_fen_rounds_up(self):
        # 5 × 1.7 = 8.5 fen exactly: half-up gives 9 (ln/exp could have given 8.4999…)
        result = _price(5, "1", "2")
        assert result.price_fen == 9
        assert result.explain()["computation"] == "exact"

    def test_half_the_strength_and_a_half_fen(self):
        # 17 ÷ 1.7 = 10 exactly; 10 × 1.95 = 19.5 fen exactly → 20
        assert _price(17, "2", "1").price_fen == 10
        assert _price(10, reference_pack=5, pack=10).price_fen == 20

    def test_double_strength_and_half_pack_combined(self):
        # 20000 × 1.7 ÷ 1.95 = 17435.897… → 17436
        assert _price(20000, "10", "20", 28, 14).price_fen == 17436


class TestOtherRatiosUseHighPrecisionLogarithms:
    """CAT-8: non-power-of-two ratios through ln/exp at 50 digits, half-up to the fen."""

    def test_three_times_the_strength_and_four_times_the_pack(self):
        # 1.7^log2(3) × 1.95² = 8.817025999636… (float check: 8.817025999636253)
        result = _price(1000, "10", "30", 7, 28)
        assert result.price_fen == 8817
        explain = result.explain()
        assert explain["factor"] == "8.817025999636"
        assert explain["strength_ratio"] == "3"
        assert explain["pack_ratio"] == "4"
        assert explain["computation"] == "ln/exp at 50 significant digits"

    def test_a_known_rounding_case(self):
        # 123456 × 1.7² × 1.95^log2(3) = 1028262.570… fen → 10282.63 yuan
        result = _price(123456, "5", "20", 10, 30)
        assert result.price_fen == 1028263
        assert result.explain()["price"] == "10282.63"

    def test_one_third_of_the_pack(self):
        # 1.95^log2(1/3) = 1 ÷ 1.95^log2(3) = 1 ÷ 2.88198…; 3000 × it = 1040.95… → 1041
        assert _price(3000, reference_pack=30, pack=10).price_fen == 1041

    def test_a_power_of_two_coefficient_is_exact_for_any_ratio(self):
        # 2^log2(3) = 3 exactly
        result = _price(5, "1", "3", strength_coefficient=Decimal(2))
        assert result.price_fen == 15
        assert result.explain()["computation"] == "exact"


class TestCoefficientsAreConfigurable:
    """CAT-8: coefficients come from the batch policy, defaulting to 1.7 and 1.95."""

    def test_custom_coefficients(self):
        result = _price(10000, "1", "2", 10, 20, strength_coefficient=Decimal("1.5"), pack_coefficient=Decimal("1.8"))
        assert result.price_fen == 27000
        assert result.explain()["formula"] == "price_ref × 1.5^log2(strength ratio) × 1.8^log2(pack ratio)"

    def test_the_explain_object(self):
        assert _price(73000, "0.25", "0.5", 14, 7).explain() == {
            "rule": "CAT-8",
            "formula": "price_ref × 1.7^log2(strength ratio) × 1.95^log2(pack ratio)",
            "inputs": {
                "reference_price": "730.00",
                "reference_strength": "0.25",
                "strength": "0.5",
                "reference_pack": 14,
                "pack": 7,
                "strength_coefficient": "1.7",
                "pack_coefficient": "1.95",
            },
            "strength_ratio": "2",
            "pack_ratio": "1/2",
            "factor": "0.871794871795",
            "computation": "exact",
            "price": "636.41",
        }


class TestNonPositiveInputsAreRefused:
    """CAT-8: every input must be positive; the error names the field."""

    @pytest.mark.parametrize(
        ("field", "kwargs"),
        [
            ("reference_price_fen", {"reference_price_fen": 0}),
            ("reference_price_fen", {"reference_price_fen": -100}),
            ("reference_strength", {"reference_strength": Decimal(0)}),
            ("strength", {"strength": Decimal(-1)}),
            ("reference_pack", {"reference_pack": 0}),
            ("pack", {"pack": -2}),
            ("strength_coefficient", {"strength_coefficient": Decimal(0)}),
            ("pack_coefficient", {"pack_coefficient": Decimal("-1.95")}),
            ("strength", {"strength": Decimal("NaN")}),
            ("strength", {"strength": 0.5}),
            ("pack", {"pack": Decimal(7)}),
            ("reference_price_fen", {"reference_price_fen": True}),
        ],
    )
    def test_the_field_is_named(self, field, kwargs):
        arguments = {
            "reference_price_fen": 1000,
            "reference_strength": Decimal(1),
            "strength": Decimal(2),
            "reference_pack": 10,
            "pack": 20,
        } | kwargs
        with pytest.raises(ValueError, match=rf"^{field} "):
            differential_price(arguments.pop("reference_price_fen"), **arguments)
