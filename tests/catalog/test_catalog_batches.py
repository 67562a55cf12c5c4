"""The catalog's batches end to end (CAT-1, §4 presets, §6 batch.published), through the
gateway; shared setup in tests/testsupport/catalog_setup.py.
"""

from __future__ import annotations

import pytest
from vbpkit.domain.policy import PRESETS, ExecutionPolicy, policy_from_preset

from testsupport.catalog_setup import (
    assert_problem,
    batch_body,
    create_batch,
    error_fields,
    new_code,
    new_uscc,
    outbox_events,
)


PRESET_FACTS = {
    # §4 table, one distinguishing fact or two per preset, written out so a changed preset fails.
    "chongqing-2025": {"prepayment_ratio": "1.0", "buy_below_winning_price": True,
                       "renewal": {"kind": "per_item_of_previous_agreed", "min_ratio": "1.0"},
                       "direct_settlement": "no", "lower_price_window_working_days": None},
    "chongqing-stent-2023": {"prepayment_ratio": "1.0", "buy_below_winning_price": False,
                             "renewal": {"kind": "stent", "hospital_total_min_ratio_of_previous_actual": "0.95",
                                         "company_min_ratio_of_previous_agreed": "0.90"},
                             "offsets": {"kind": "after_cycle_end", "refund_after_months": None}},
    "liaoning-2025": {"prepayment_ratio": "0.5", "buy_below_winning_price": None,
                      "direct_settlement": "optional",
                      "tranches": [{"share": "1", "due": {"kind": "before_start", "days_before": 0}}]},
    "chuxiong-2022": {"prepayment_ratio": "0.3", "renewal": {"kind": "retender"},
                      "supplier_payment_due": {"kind": "days_after_acceptance", "days": 30},
                      "offsets": {"kind": "progressive_by_accepted_amount"}},
}


class TestBatchFromEachPreset:
    """CAT-1/§4: a batch created from a preset carries that preset's whole policy, and its
    cycle of whole years ends the day before the anniversary (seed 000)."""

    @pytest.mark.parametrize("preset", list(PRESET_FACTS))
    async def test_the_policy_is_the_presets(self, roles, preset):
        code = new_code("CAT1")
        response = await roles.insurer.post("/catalog/batches", json=batch_body(code, preset))
        assert response.status_code == 201, response.text
        batch = response.json()
        assert batch["policy"] == PRESETS[preset].model_dump(mode="json")
        for field, value in PRESET_FACTS[preset].items():
            assert batch["policy"][field] == value, field
        assert batch["policy"]["preset"] == preset
        assert batch["ends_on"] == "2027-06-19" and batch["planned_ends_on"] == "2027-06-19"
        assert batch["explain"]["rule"] == "CAT-1" and batch["explain"]["preset"] == preset
        stored = await roles.hospital.get(f"/catalog/batches/{code}")
        assert stored.status_code == 200 and stored.json()["policy"] == batch["policy"]

    async def test_a_fixed_end_date_is_kept(self, roles):
        code = new_code("CAT1")
        batch = await create_batch(roles, code, starts_on="2025-02-20", cycle_years=None, ends_on="2025-12-31",
                                   kind="drug")
        assert batch["ends_on"] == "2025-12-31" and batch["cycle_years"] is None
        assert batch["explain"]["fixed_end"] == "2025-12-31"

    async def test_the_exchange_may_create_a_batch_too(self, roles):
        response = await roles.exchange.post("/catalog/batches", json=batch_body(new_code("CAT1")))
        assert response.status_code == 201, response.text


class TestBatchPolicyOverrides:
    """CAT-1/§4: overrides change the named fields of the preset and nothing else (seed 002
    sets a 20-working-day window and forbids buying below the winning price)."""

    async def test_overrides_are_applied(self, roles):
        code = new_code("CAT1")
        overrides = {"lower_price_window_working_days": 20, "buy_below_winning_price": False}
        batch = await create_batch(roles, code, policy_overrides=overrides)
        expected = PRESETS["chongqing-2025"].model_dump(mode="json") | overrides
        assert batch["policy"] == expected
        assert (await roles.exchange.get(f"/catalog/batches/{code}")).json()["policy"] == expected


class TestInvalidBatchIsRefused:
    """CAT-1/§5: an invalid batch is a 422 problem naming the field, and nothing is stored."""

    @pytest.mark.parametrize(("change", "field"), [
        ({"policy_overrides": {"prepayment_ratio": "1.5"}}, "body.policy_overrides.prepayment_ratio"),
        ({"policy_overrides": {"lower_price_window_working_days": -1}},
         "body.policy_overrides.lower_price_window_working_days"),
        ({"policy_overrides": {"prepayment_ratio": 0.5}}, "body.policy_overrides.prepayment_ratio"),
        ({"policy_overrides": {"no_such_rule": 1}}, "body.policy_overrides.no_such_rule"),
        ({"preset": "nowhere-2030"}, "body.preset"),
        ({"kind": "vaccine"}, "body.kind"),
        ({"starts_on": "2025-02-30"}, "body.starts_on"),
    ], ids=["ratio-above-1", "negative-window", "float-ratio", "unknown-rule", "unknown-preset", "bad-kind",
            "bad-date"])
    async def test_a_bad_field_is_named(self, roles, change, field):
        code = new_code("CAT1")
        body = assert_problem(await roles.insurer.post("/catalog/batches", json=batch_body(code) | change), 422)
        assert field in error_fields(body), body
        assert_problem(await roles.insurer.get(f"/catalog/batches/{code}"), 404)

    @pytest.mark.parametrize("cycle", [
        {"cycle_years": 2, "ends_on": "2027-06-19"}, {"cycle_years": None},
    ], ids=["both", "neither"])
    async def test_exactly_one_of_cycle_years_and_ends_on(self, roles, cycle):
        code = new_code("CAT1")
        body = assert_problem(await roles.insurer.post("/catalog/batches", json=batch_body(code, **cycle)), 422)
        assert any("cycle_years" in e["reason"] and "ends_on" in e["reason"] for e in body["errors"]), body
        assert_problem(await roles.insurer.get(f"/catalog/batches/{code}"), 404)

    async def test_a_duplicate_code_is_a_conflict_and_the_first_batch_stays(self, roles):
        code = new_code("CAT1")
        first = await create_batch(roles, code)
        body = assert_problem(await roles.insurer.post(
            "/catalog/batches", json=batch_body(code, "chuxiong-2022", name="另一个")), 409)
        assert "body.code" in error_fields(body)
        again = (await roles.insurer.get(f"/catalog/batches/{code}")).json()
        assert again == first


class TestBatchRoles:
    """CAT-1/GW-5: only the exchange and the insurer create batches; only the insurer extends
    or ends them."""

    @pytest.mark.parametrize("role", ["hospital", "company"])
    async def test_others_cannot_create(self, roles, role):
        client = roles.hospital if role == "hospital" else await roles.company(new_uscc())
        code = new_code("CAT1")
        assert_problem(await client.post("/catalog/batches", json=batch_body(code)), 403)
        assert_problem(await roles.insurer.get(f"/catalog/batches/{code}"), 404)

    async def test_the_exchange_cannot_extend_or_end(self, roles):
        code = new_code("CAT1")
        before = await create_batch(roles, code)
        assert_problem(await roles.exchange.post(
            f"/catalog/batches/{code}/extension", json={"ends_on": "2027-12-31", "document_no": "X"}), 403)
        assert_problem(await roles.exchange.post(
            f"/catalog/batches/{code}/early-end",
            json={"ended_on": "2026-06-30", "cause": "national_vbp", "document_no": "X"}), 403)
        assert (await roles.exchange.get(f"/catalog/batches/{code}")).json() == before


class TestBatchExtensionAndEarlyEnd:
    """CAT-1 (seed 000): ops may extend the cycle, or end it early when the category enters
    national VBP; an ended batch cannot be extended again."""

    async def test_extend_then_end_early(self, roles, catalog_db):
        code = new_code("CAT1")
        await create_batch(roles, code)
        extension = {"ends_on": "2027-12-31", "document_no": "渝医保办〔2027〕1号"}
        response = await roles.insurer.post(f"/catalog/batches/{code}/extension", json=extension)
        assert response.status_code == 200, response.text
        assert response.json()["ends_on"] == "2027-12-31"
        assert response.json()["planned_ends_on"] == "2027-06-19"

        earlier = await roles.insurer.post(f"/catalog/batches/{code}/extension",
                                           json={"ends_on": "2027-09-30", "document_no": "X"})
        assert "body.ends_on" in error_fields(assert_problem(earlier, 422))
        assert (await roles.insurer.get(f"/catalog/batches/{code}")).json()["ends_on"] == "2027-12-31"

        ended = await roles.insurer.post(f"/catalog/batches/{code}/early-end", json={
            "ended_on": "2026-09-30", "cause": "national_vbp", "document_no": "渝医保办〔2026〕9号"})
        assert ended.status_code == 200, ended.text
        assert ended.json()["ends_on"] == ended.json()["ended_early_on"] == "2026-09-30"
        assert "national_vbp" in ended.json()["end_reason"]

        assert_problem(await roles.insurer.post(f"/catalog/batches/{code}/extension", json=extension), 409)
        assert (await roles.insurer.get(f"/catalog/batches/{code}")).json()["ends_on"] == "2026-09-30"

        # every change is published again with the whole batch (DESIGN §6)
        events = await outbox_events(catalog_db, key=code, type_="catalog.batch.published")
        assert [e["data"]["ends_on"] for e in events] == ["2027-06-19", "2027-12-31", "2026-09-30"]
        assert events[-1]["data"]["ended_early_on"] == "2026-09-30"


class TestBatchPublishedCarriesThePolicy:
    """CAT-1/§6: catalog.batch.published carries the whole execution policy, so no service
    asks the catalog for it."""

    async def test_the_asyncapi_schema_has_the_policy(self, roles):
        document = (await roles.hospital.get("/asyncapi.json")).json()
        message = document["components"]["messages"]["catalog.batch.published.v1"]
        data = message["payload"]["properties"]["data"]
        assert "policy" in data["properties"] and "policy" in data["required"]

    async def test_the_outbox_event_has_the_batch_policy(self, roles, catalog_db):
        code = new_code("CAT1")
        batch = await create_batch(roles, code, "chongqing-stent-2023",
                                   policy_overrides={"prepayment_ratio": "0.8"})
        [event] = await outbox_events(catalog_db, key=code, type_="catalog.batch.published")
        assert event["type"] == "catalog.batch.published" and event["key"] == code
        assert event["data"]["policy"] == batch["policy"]
        assert event["data"]["policy"]["prepayment_ratio"] == "0.8"
        # issue 7: catalog publishes version 2, whose policy is the typed ExecutionPolicy
        assert event["version"] == 2
        assert ExecutionPolicy.model_validate(event["data"]["policy"]) == policy_from_preset(
            "chongqing-stent-2023", {"prepayment_ratio": "0.8"})

    async def test_the_asyncapi_document_lists_the_typed_version_2(self, roles):
        document = (await roles.hospital.get("/asyncapi.json")).json()
        data = document["components"]["messages"]["catalog.batch.published.v2"]["payload"]["properties"]["data"]
        assert data["properties"]["policy"] == {"$ref": "#/components/schemas/ExecutionPolicy"}
        assert "catalog.batch.published.v1" in document["components"]["messages"]  # v1 stays published
