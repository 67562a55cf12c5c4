"""CAT-9: unified social credit codes (GB 32100-2015) with their check character."""

import pytest
from vbp_catalog.uscc import ALPHABET, InvalidUSCC, check_character, check_uscc

# Codes published for real organisations; their check characters come from the issuers,
# not from this implementation, so they test the algorithm independently.
PUBLISHED_CODES = [
    "91350100M000100Y43",
    "914403001922038216",
    "91440300708461136T",
    "9144030071526726XG",
    "91110108551385082Q",
    "91330100716105852F",
    "91110000600037341L",
    "12100000400010398P",
]


class TestValidCodesAreAccepted:
    """CAT-9: a code with the right check character is accepted and normalised."""

    @pytest.mark.parametrize("code", PUBLISHED_CODES)
    def test_published_codes(self, code):
        assert check_uscc(code) == code

    def test_the_worked_example_sums_to_its_check_character(self):
        # 9 1 3 5 0 1 0 0 M(21) 0 0 0 1 0 0 Y(30) 4 against the GB 32100 weights:
        # Σ = 9 + 3 + 27 + 135 + 26 + 21·20 + 1·8 + 30·30 + 4·28 = 1640; 1640 mod 31 = 28;
        # 31 − 28 = 3.
        values = [9, 1, 3, 5, 0, 1, 0, 0, 21, 0, 0, 0, 1, 0, 0, 30, 4]
        weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
        total = sum(v * w for v, w in zip(values, weights))
        assert total == 1640
        assert (31 - total % 31) % 31 == 3
        assert check_character("91350100M000100Y4") == "3"

    def test_lower_case_and_surrounding_blanks_are_normalised(self):
        assert check_uscc("  91350100m000100y43\n") == "91350100M000100Y43"

    def test_full_width_characters_are_normalised(self):
        assert check_uscc("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"

    @pytest.mark.parametrize("body", ["91500000MA5U000001", "93500000000000000", "Y1000000000000000"])
    def test_generated_codes_round_trip(self, body):
        first_17 = body[:17]
        code = first_17 + check_character(first_17)
        assert check_uscc(code) == code

    def test_a_check_character_of_value_zero_is_0_not_31(self):
        # Σ ≡ 0 (mod 31) must give '0': (31 − 0) mod 31 = 0.
        assert check_character("0" * 17) == "0"
        assert check_uscc("0" * 18) == "0" * 18


class TestInvalidCodesAreRefusedWithTheFault:
    """CAT-9: length, illegal characters and a wrong check character are named."""

    @pytest.mark.parametrize(("code", "length"), [("", 0), ("91350100M000100Y4", 17), ("91350100M000100Y433", 19)])
    def test_wrong_length(self, code, length):
        with pytest.raises(InvalidUSCC) as raised:
            check_uscc(code)
        assert raised.value.reason == f"it must have 18 characters, it has {length}"
        assert raised.value.code == code

    @pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
    def test_excluded_letters(self, letter):
        code = "91350100" + letter + "000100Y43"
        with pytest.raises(InvalidUSCC) as raised:
            check_uscc(code)
        assert f"illegal character {letter!r} at position 9" in raised.value.reason

    def test_punctuation_inside(self):
        with pytest.raises(InvalidUSCC) as raised:
            check_uscc("913501-0M000100Y43")
        assert "illegal character '-' at position 7" in raised.value.reason

    def test_wrong_check_character_names_the_expected_one(self):
        with pytest.raises(InvalidUSCC) as raised:
            check_uscc("91350100M000100Y44")
        assert raised.value.reason == "wrong check character '4': expected '3'"
        assert isinstance(raised.value, ValueError)

    @pytest.mark.parametrize("code", PUBLISHED_CODES)
    def test_any_single_character_change_is_caught(self, code):
        # Weights are non-zero mod the prime 31, so one changed character always changes Σ.
        for position in range(18):
            for replacement in ALPHABET:
                if replacement == code[position]:
                    continue
                mutated = code[:position] + replacement + code[position + 1:]
                with pytest.raises(InvalidUSCC):
                    check_uscc(mutated)

    def test_swapping_two_adjacent_different_characters_is_caught(self):
        code = "91350100M000100Y43"
        swapped = code[:8] + code[9] + code[8] + code[10:]  # M0 → 0M
        with pytest.raises(InvalidUSCC):
            check_uscc(swapped)
