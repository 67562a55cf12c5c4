"""GW-5 party rules contracts and settlement share (vbpkit.web.parties): a caller sees a row it is
party to, overseers see all, anyone else gets the same 404 as for a row that does not exist."""

import pytest
from vbpkit.web.identity import Principal, Role
from vbpkit.web.parties import NOBODY, company_code, hospital_code, hospital_filter, may_see, not_found
from vbpkit.web.problems import Problem

HOSPITAL = Principal(role=Role.HOSPITAL, tenant="H1", key_id="k-hospital")
COMPANY = Principal(role=Role.COMPANY, tenant="C1", key_id="k-company")
OVERSEERS = [Principal(role=role, tenant="500000", key_id="k") for role in (Role.EXCHANGE, Role.INSURER, Role.ADMIN)]


class TestMaySee:
    def test_a_hospital_sees_its_own_rows_only(self):
        assert may_see(HOSPITAL, hospital="H1", companies=("C9",))
        assert not may_see(HOSPITAL, hospital="H2", companies=("C9",))

    def test_a_company_sees_a_row_it_is_party_to(self):
        assert may_see(COMPANY, hospital="H2", companies=("C9", "C1"))
        assert not may_see(COMPANY, hospital="H2", companies=("C9", None))

    def test_a_company_key_without_a_credit_code_is_party_to_nothing(self):
        assert not may_see(Principal(role=Role.COMPANY, key_id="k"), hospital="H2", companies=(None,))

    @pytest.mark.parametrize("principal", OVERSEERS, ids=lambda p: p.role.value)
    def test_overseers_see_every_row(self, principal):
        assert may_see(principal, hospital="H2", companies=())


class TestActingAsATenant:
    def test_only_a_hospital_key_acts_as_a_hospital(self):
        assert hospital_code(HOSPITAL) == "H1"
        with pytest.raises(Problem) as refused:
            hospital_code(COMPANY)
        assert refused.value.status == 403

    def test_only_a_company_key_acts_as_a_company(self):
        assert company_code(COMPANY) == "C1"
        with pytest.raises(Problem) as refused:
            company_code(Principal(role=Role.COMPANY, key_id="k"))
        assert refused.value.status == 403


class TestListsOfHospitalRows:
    def test_a_hospital_lists_its_own_whatever_it_asks(self):
        assert hospital_filter(HOSPITAL, None) == "H1" and hospital_filter(HOSPITAL, "H1") == "H1"
        assert hospital_filter(HOSPITAL, "H2") is NOBODY

    def test_overseers_list_whichever_they_ask(self):
        assert [hospital_filter(p, "H2") for p in OVERSEERS] == ["H2"] * 3
        assert [hospital_filter(p, None) for p in OVERSEERS] == [None] * 3

    def test_a_company_lists_no_hospital_rows(self):
        assert hospital_filter(COMPANY, None) is NOBODY


def test_a_foreign_row_reads_as_a_missing_one():
    assert not_found("order 7").status == 404 and not_found("order 7").detail == "no order 7 of yours"
