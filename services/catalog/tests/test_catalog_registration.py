"""CAT-3: registration numbers and names imported from the seed-003 winning table."""

import pytest
from vbp_catalog.registration import (
    InvalidRegistrationNo,
    normalise_registration_no,
    normalise_text,
    registration_kind,
)

# The 注册证编号 column of seed 003 exactly as printed (space after the prefix).
SEED_003_NUMBERS = [
    ("国械注准 20163132305", "国械注准20163132305"),
    ("国械注准 20203131021", "国械注准20203131021"),
    ("国械注准 20163131174", "国械注准20163131174"),
    ("国械注准 20193131802", "国械注准20193131802"),
    ("国械注准 20203130662", "国械注准20203130662"),
    ("国械注进 20163130682", "国械注进20163130682"),
    ("国械注准 20173131407", "国械注准20173131407"),
    ("国械注准 20223131270", "国械注准20223131270"),
    ("国械注准 20223130495", "国械注准20223130495"),
    ("国械注进 20153130608", "国械注进20153130608"),
    ("国械注准 20173130564", "国械注准20173130564"),
    ("国械注准 20163130595", "国械注准20163130595"),
    ("国械注进 20163132140", "国械注进20163132140"),
    ("国械注准 20223131010", "国械注准20223131010"),
]


class TestSeed003RegistrationNumbersNormalise:
    """CAT-3: the table's spaced numbers become valid device numbers."""

    def test_the_table_has_fourteen_distinct_numbers(self):
        assert len({normalise_registration_no(raw) for raw, _ in SEED_003_NUMBERS}) == 14

    @pytest.mark.parametrize(("raw", "expected"), SEED_003_NUMBERS)
    def test_each_number_normalises_and_is_a_device(self, raw, expected):
        number = normalise_registration_no(raw)
        assert number == expected
        assert registration_kind(number) == "device"

    @pytest.mark.parametrize(
        "raw",
        ["国械注准　20163132305", " 国械注准\t2016 3132 305\n", "国械注准２０１６３１３２３０５", "国械注准\u200b20163132305"],
    )
    def test_ideographic_spaces_tabs_full_width_digits_and_zero_width_characters(self, raw):
        assert normalise_registration_no(raw) == "国械注准20163132305"

    def test_the_drug_category_letter_is_upper_cased(self):
        assert normalise_registration_no("国药准字 h20123456") == "国药准字H20123456"


class TestRegistrationKind:
    """CAT-3: device 国械注准|进|许 + 11 digits, drug 国药准字 + H/Z/S/J + 8 digits."""

    @pytest.mark.parametrize(
        "number", ["国械注准20163132305", "国械注进20153130608", "国械注许20183460001"]
    )
    def test_device_numbers(self, number):
        assert registration_kind(number) == "device"

    @pytest.mark.parametrize(
        "number", ["国药准字H20123456", "国药准字Z11020001", "国药准字S10980001", "国药准字J20150001"]
    )
    def test_drug_numbers(self, number):
        assert registration_kind(number) == "drug"

    @pytest.mark.parametrize(
        ("number", "reason_part"),
        [
            ("", "empty"),
            ("国械注准 20163132305", "whitespace"),
            ("国械注准2016313230", "has 10"),
            ("国械注准201631323051", "has 12"),
            ("国械注准2016313230X", "11 digits only"),
            ("国械注准٢٠١٦٣١٣٢٣٠٥", "11 digits only"),  # Arabic-Indic digits are not digits here
            ("国械注备20163132305", "none of the device prefixes"),
            ("国食药监械(准)字2013第3460977号", "none of the device prefixes"),
            ("国药准字X20123456", "H, Z, S or J"),
            ("国药准字20123456", "H, Z, S or J"),
            ("国药准字H2012345", "has 7"),
            ("国药准字H2012345A", "8 digits only"),
            ("20163132305", "none of the device prefixes"),
            ("国械注准20163132305\n", "whitespace"),
        ],
    )
    def test_malformed_numbers_are_refused_with_a_reason(self, number, reason_part):
        with pytest.raises(InvalidRegistrationNo) as raised:
            registration_kind(number)
        assert isinstance(raised.value, ValueError)
        assert raised.value.number == number
        assert reason_part in raised.value.reason
        assert raised.value.reason in str(raised.value)


class TestNamesBrokenAcrossLinesAreRejoined:
    """CAT-3: the seed-003 table breaks Chinese names across lines; brackets fold to half-width."""

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("美敦力（上海）管理 有限公司", "美敦力(上海)管理有限公司"),
            ("山东吉威医疗制品 有限公司", "山东吉威医疗制品有限公司"),
            ("赛诺医疗科学技术 股份有限公司", "赛诺医疗科学技术股份有限公司"),
            ("波科国际医疗贸易 （上海）有限公司", "波科国际医疗贸易(上海)有限公司"),
            ("乐普（北京）医疗器 械股份有限公司", "乐普(北京)医疗器械股份有限公司"),
            ("乐普（北京）医疗 器械股份有限公司", "乐普(北京)医疗器械股份有限公司"),
            ("钴铬合金生物可降解涂 层雷帕霉素洗脱冠脉支 架系统", "钴铬合金生物可降解涂层雷帕霉素洗脱冠脉支架系统"),
            ("铂铬合金依维莫司洗脱 冠状动脉支架系统", "铂铬合金依维莫司洗脱冠状动脉支架系统"),
            ("钴基合金雷帕霉素洗脱 支架系统", "钴基合金雷帕霉素洗脱支架系统"),
            ("药物涂层支架系统 （雷帕霉素）", "药物涂层支架系统(雷帕霉素)"),
            ("美敦力 （ 上海 ） 管理\n有限公司", "美敦力(上海)管理有限公司"),
        ],
    )
    def test_chinese_names(self, raw, expected):
        assert normalise_text(raw) == expected

    def test_full_and_half_width_brackets_compare_equal(self):
        assert normalise_text("上海微创医疗器械（集团）有限公司") == normalise_text("上海微创医疗器械(集团)有限公司")

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("Boston Scientific Corporation", "Boston Scientific Corporation"),
            ("Medtronic Inc.", "Medtronic Inc."),
            ("  Abbott \n  Vascular ", "Abbott Vascular"),
            ("Ｍｅｄｔｒｏｎｉｃ　Ｉｎｃ．", "Medtronic Inc."),
        ],
    )
    def test_latin_words_keep_one_space(self, raw, expected):
        assert normalise_text(raw) == expected

    def test_a_space_between_chinese_and_latin_is_kept(self):
        assert normalise_text("雅培 Abbott  Vascular") == "雅培 Abbott Vascular"

    def test_normalising_twice_changes_nothing(self):
        once = normalise_text("波科国际医疗贸易 （上海）有限公司")
        assert normalise_text(once) == once
