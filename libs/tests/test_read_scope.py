"""GW-5 for monitoring's reads (vbpkit.web.read_scope): what each role may read across hospitals,
companies and regions, and how the filters a caller asks for narrow it."""

import pytest
from vbpkit.web.identity import Principal, Role
from vbpkit.web.read_scope import ReadScope, covered

HOSPITAL = Principal(role=Role.HOSPITAL, tenant="H500103001", key_id="k-hospital")
COMPANY = Principal(role=Role.COMPANY, tenant="91500000MA5U000001", key_id="k-company")
CHONGQING_INSURER = Principal(role=Role.INSURER, tenant="500000", key_id="k-insurer")
EXCHANGE = Principal(role=Role.EXCHANGE, tenant="EX", key_id="k-exchange")
ADMIN = Principal(role=Role.ADMIN, key_id="k-admin")


class TestAHospitalReadsOnlyItsOwnRows:
    def test_its_own_rows_whatever_company_it_asks_for(self):
        assert ReadScope.of(HOSPITAL, company_code="C1") == ReadScope(hospital_code="H500103001", company_code="C1")

    def test_asking_for_itself_is_the_same_as_asking_for_nothing(self):
        assert ReadScope.of(HOSPITAL, hospital_code="H500103001") == ReadScope.of(HOSPITAL)
        assert not ReadScope.of(HOSPITAL).nothing

    def test_asking_for_another_hospital_gives_nothing(self):
        assert ReadScope.of(HOSPITAL, hospital_code="H510104001").nothing

    def test_it_sees_its_rows_and_not_anothers(self):
        scope = ReadScope.of(HOSPITAL)
        assert scope.shows_hospital("H500103001") and not scope.shows_hospital("H510104001")


class TestACompanyReadsOnlyItsOwnAgreements:
    def test_its_own_rows_of_whichever_hospital_it_asks_for(self):
        assert ReadScope.of(COMPANY, hospital_code="H1") == ReadScope(hospital_code="H1",
                                                                       company_code="91500000MA5U000001")

    def test_asking_for_another_company_gives_nothing(self):
        assert ReadScope.of(COMPANY, company_code="91510000MA6C000002").nothing
        assert not ReadScope.of(COMPANY, company_code="91500000MA5U000001").nothing

    def test_it_sees_its_rows_and_not_anothers(self):
        scope = ReadScope.of(COMPANY)
        assert scope.shows_company("91500000MA5U000001") and not scope.shows_company("91510000MA6C000002")
        assert scope.shows_hospital("H500103001") and scope.shows_hospital("H510104001")


class TestAnInsurerReadsItsRegionAndTheRegionsUnderIt:
    def test_its_region_is_its_tenant_and_its_filters_are_kept(self):
        assert ReadScope.of(CHONGQING_INSURER, hospital_code="H1", company_code="C1") == ReadScope(
            hospital_code="H1", company_code="C1", region_code="500000")

    @pytest.mark.parametrize("region, seen", [("500000", True), ("500103", True), ("510104", False),
                                              ("510000", False), (None, False), ("999999", False)])
    def test_a_hospital_is_covered_only_inside_the_region(self, region, seen):
        assert ReadScope.of(CHONGQING_INSURER).covers(region) is seen

    def test_an_insurer_keyed_to_no_region_covers_every_hospital(self):
        scope = ReadScope.of(Principal(role=Role.INSURER, tenant="INSURER-HQ", key_id="k"))
        assert scope.covers("510104") and scope.covers(None)


class TestTheExchangeAndAdminsReadEverything:
    @pytest.mark.parametrize("principal", [EXCHANGE, ADMIN], ids=["exchange", "admin"])
    def test_only_the_filters_they_ask_for_narrow_it(self, principal):
        assert ReadScope.of(principal) == ReadScope()
        assert ReadScope.of(principal, hospital_code="H1", company_code="C1") == ReadScope(hospital_code="H1",
                                                                                            company_code="C1")

    @pytest.mark.parametrize("principal", [EXCHANGE, ADMIN], ids=["exchange", "admin"])
    def test_every_row_is_shown(self, principal):
        scope = ReadScope.of(principal)
        assert scope.covers("510104") and scope.covers(None)
        assert scope.shows_hospital("H1") and scope.shows_company("C1") and not scope.nothing


class TestCoveredIsTheRegionRule:
    """``covered`` also narrows by a region a caller asks for (``region_code`` of a query)."""

    def test_no_cover_covers_everything(self):
        assert covered("510104", None) and covered(None, None) and covered("510104", "")

    def test_a_county_lies_in_its_city_and_province_but_not_beside_them(self):
        assert covered("500103", "500103") and covered("500103", "500000")
        assert not covered("500103", "510000")

    def test_a_hospital_of_an_unknown_region_lies_in_no_region(self):
        assert not covered("999999", "500000") and not covered(None, "500000")


def test_the_scope_cannot_be_changed_once_built():
    with pytest.raises(AttributeError):
        ReadScope.of(HOSPITAL).hospital_code = "H510104001"  # type: ignore[misc]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_a_scope(role):
    """A role added without a rule here is refused (403), not silently shown everything."""
    assert isinstance(ReadScope.of(Principal(role=role, tenant="500000", key_id="k")), ReadScope)
