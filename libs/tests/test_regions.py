"""CAT-9 reference data: GB/T 2260 administrative divisions, their Chinese names and their
province → city → county hierarchy (vbpkit.domain.regions, from python-stdnum's cn/loc.dat)."""

import pytest
from vbpkit.domain.regions import Region, UnknownRegion, ancestors, is_known, is_within, known_regions, region


class TestCurrentCodesAreKnownByName:
    """The codes the demo data and the seeds use, with their current names and levels."""

    @pytest.mark.parametrize(("code", "name", "level", "parent"), [
        ("500000", "重庆市", "province", None),
        ("500103", "渝中区", "county", "500000"),
        ("500101", "万州区", "county", "500000"),  # 万县区 until 1997
        ("500157", "两江新区", "county", "500000"),
        ("210000", "辽宁省", "province", None),
        ("530000", "云南省", "province", None),
        ("532300", "楚雄彝族自治州", "city", "530000"),
        ("532301", "楚雄市", "county", "532300"),
        ("320000", "江苏省", "province", None),
        ("110101", "东城区", "county", "110000"),
    ])
    def test_region(self, code, name, level, parent):
        assert region(code) == Region(code=code, name=name, level=level, parent=parent)
        assert is_known(code)

    def test_a_county_directly_under_its_province_has_the_province_as_parent(self):
        # 仙桃市 is under 省直辖县级行政单位 (429000), a grouping, not a city
        assert region("429004").parent == "420000"
        assert not is_known("429000")


class TestUnknownCodesAreRefused:
    """An abolished code, a grouping that is no division, and a made-up code are unknown."""

    @pytest.mark.parametrize("code", [
        "110103",  # 崇文区, merged into 东城区 in 2010
        "500112",  # 渝北区, merged into 两江新区 in 2025
        "500100",  # 市辖区: a grouping of Chongqing's districts, not a division
        "500200",  # 县
        "999999", "500199", "50010", "5001033", "", "abcdef",
    ])
    def test_unknown(self, code):
        assert not is_known(code)
        with pytest.raises(UnknownRegion) as raised:
            region(code)
        assert str(raised.value) == f"unknown administrative division code {code!r}"
        assert isinstance(raised.value, KeyError)

    def test_a_non_string_is_unknown(self):
        assert not is_known(500103)
        with pytest.raises(UnknownRegion):
            region(500103)


class TestHierarchyRollsUp:
    """Monitoring rolls a county's figures up to its city and province (MON-*)."""

    def test_ancestors_nearest_first(self):
        assert [r.code for r in ancestors("532301")] == ["532300", "530000"]
        assert [r.name for r in ancestors("532301")] == ["楚雄彝族自治州", "云南省"]
        assert [r.code for r in ancestors("500103")] == ["500000"]
        assert ancestors("210000") == []

    def test_is_within(self):
        assert is_within("532301", "532300") and is_within("532301", "530000")
        assert is_within("532301", "532301")
        assert not is_within("532301", "500000")
        assert not is_within("530000", "532301")  # a province is not within its county
        assert not is_within("500103", "210000")

    def test_is_within_an_unknown_code_is_refused(self):
        with pytest.raises(UnknownRegion):
            is_within("500103", "500100")
        with pytest.raises(UnknownRegion):
            is_within("500112", "500000")

    def test_every_known_code_rolls_up_to_a_province_of_its_own_prefix(self):
        everything = known_regions()
        assert len(everything) > 3000
        assert sum(r.level == "province" for r in everything.values()) == 34
        for code, found in everything.items():
            top = ([found] + ancestors(code))[-1]
            assert top.level == "province" and top.code == code[:2] + "0000", code
            if found.parent and region(found.parent).level == "city":
                assert found.parent[:4] == code[:4], code
