"""CAT-11 national insurance codes: the published structures of 医保医用耗材代码 (C + 19 digits,
or 27 with the single product) and 医保药品代码 (西药 X…, 23; 中成药 Z…, 20)."""

import pytest
from vbp_catalog import insurance_codes


@pytest.mark.parametrize("code, kind", [
    ("C0301010010000100001", "device"),                 # 1 + 6 + 3 + 5 + 5
    ("C03010100100001000010000123", "device"),          # + 7 digits of the single product
    ("XJ01CAA040A001010102699", "drug"),                # 阿莫西林片
    ("ZA01AAJ0264010104002", "drug"),                   # 中成药
])
def test_cat11_published_shapes_are_recognised(code, kind):
    assert insurance_codes.kind_of(code) == kind
    assert insurance_codes.problem(code, kind) is None


@pytest.mark.parametrize("code", [
    "C030101001000010000",            # 19 characters
    "C03010100100001000010",          # 21: neither 20 nor 27
    "D0301010010000100001",           # not C, X or Z
    "XJ01CA1040A001010102699",        # the name part starts with a letter
    "XJ01CAA040A00101010269",         # 22 characters
    "ZA01AAJ026401010400",            # 19 characters
    "C03010100100001000O1",           # a letter O among the digits
])
def test_cat11_malformed_codes_are_refused(code):
    assert insurance_codes.kind_of(code) is None
    assert "not a national insurance code" in insurance_codes.problem(code, "device")


def test_cat11_a_code_of_the_other_kind_is_named():
    reason = insurance_codes.problem("XJ01CAA040A001010102699", "device")
    assert reason.startswith("XJ01CAA040A001010102699 is a national insurance drug code")


def test_cat11_codes_are_normalised_and_searched_by_their_leading_parts():
    assert insurance_codes.normalise(" c0301-0100 1000 0100001 ") == "C0301010010000100001"
    assert insurance_codes.search_prefix("c0301") == "C0301"
    assert insurance_codes.search_prefix("xj01ca") == "XJ01CA"
    assert insurance_codes.search_prefix("国械注准") is None
    assert insurance_codes.search_prefix("C" + "0" * 30) is None
