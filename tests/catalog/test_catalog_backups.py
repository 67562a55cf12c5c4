"""CAT-13 backups through the gateway (seed 003: 不能保障质量和供应时…赔偿、惩戒、退出、备选和应急保障
措施; seed 004: 增加替补供应企业): the insurer designates, for a failing winning product in its
region, another winner of the group at its own price or a listed non-winning product at no more
than the failing winner's price (the policy's ``backup_price_cap_ratio``, 1 by default);
every refusal says why, and both products show the designation."""

from __future__ import annotations

import pytest

from testsupport.catalog_setup import (
    assert_problem, create_batch, device_no, error_fields, listing, new_code, new_uscc, outbox_events, product,
    products_of, push,
)


@pytest.fixture
async def group(roles):
    """One batch, group G1: W1 (the failing winner, 730.00) and W3 of manufacturer M1, W2 of M2
    (750.00), N1 non-winning at 720.00 (under the cap), N2 non-winning at 760.00 (above it), and
    S1, a winner of M3 that is suspended."""
    code = new_code("CAT13")
    await create_batch(roles, code, "chongqing-stent-2023")
    m1, m2, m3, m4, m5 = (new_uscc() for _ in range(5))
    registered = await roles.exchange.post("/catalog/companies", json={"rows": [
        {"credit_code": m, "name": f"生产企业{i}", "roles": ["manufacturer"]} for i, m in enumerate((m1, m2, m3, m4, m5))]})
    assert registered.status_code == 200, registered.text
    numbers = {name: device_no() for name in ("W1", "W2", "W3", "N1", "N2", "S1")}

    def row(name: str, maker: str, **fields) -> dict:
        return listing(numbers[name], group="G1", applicant=f"企业{name}", registrant=f"企业{name}",
                       applicant_credit_code=maker, **fields)
    pushed = await roles.exchange.post(f"/catalog/batches/{code}/products", params={"create_groups": "true"},
                                       json={"rows": [
        row("W1", m1), row("W2", m2, product_price="700.00", winning_price="750.00"), row("W3", m1),
        row("N1", m4, winning=False, product_price="720.00", service_price="0.00", winning_price=None,
            national_lowest_price="720.00"),
        row("N2", m5, winning=False, product_price="760.00", service_price="0.00", winning_price=None,
            national_lowest_price="760.00"),
        row("S1", m3)]})
    assert pushed.status_code == 200, pushed.text
    ids = {p["registration_no"]: p["id"] for p in await products_of(roles.exchange, code)}
    found = {name: ids[number] for name, number in numbers.items()}
    suspended = await roles.exchange.post(f"/catalog/products/{found['S1']}/status", json={
        "status": "suspended", "reason": "质量问题"})
    assert suspended.status_code == 200, suspended.text
    return code, found


def designation(backup: int, region: str | None = "500103", reason: str = "中选企业断供，启用备选企业") -> dict:
    return {k: v for k, v in {"backup_product_id": backup, "region_code": region, "reason": reason}.items()
            if v is not None}


class TestBackups:
    async def test_cat13_a_winner_of_the_group_and_a_cheaper_non_winner_are_designated(self, roles, group, catalog_db):
        code, p = group
        winner = await roles.insurer.post(f"/catalog/products/{p['W1']}/backups", json=designation(p["W2"]))
        assert winner.status_code == 201, winner.text
        body = winner.json()
        assert (body["region_code"], body["price"], body["price_cap"], body["status"]) == (
            "500103", "750.00", None, "active")  # a winner keeps its own winning price
        cheaper = await roles.insurer.post(f"/catalog/products/{p['W1']}/backups", json=designation(
            p["N1"], region=None))  # the insurer's own region by default
        assert cheaper.status_code == 201, cheaper.text
        assert (cheaper.json()["region_code"], cheaper.json()["price"], cheaper.json()["price_cap"]) == (
            "500000", "720.00", "730.00")
        failing, backup = await product(roles.hospital, p["W1"]), await product(roles.hospital, p["W2"])
        assert [(b["role"], b["backup_product_id"]) for b in failing["backups"]] == [("failing", p["W2"]),
                                                                                ("failing", p["N1"])]
        assert [(b["role"], b["failing_product_id"]) for b in backup["backups"]] == [("backup", p["W1"])]
        assert any(h["kind"] == "backup" for h in failing["history"])
        [event, _] = await outbox_events(catalog_db, key=str(p["W1"]), type_="catalog.backup.designated")
        assert (event["data"]["backup_product_id"], event["data"]["price_fen"], event["data"]["region_code"]) == (
            p["W2"], 75000, "500103")
        again = await roles.insurer.post(f"/catalog/products/{p['W1']}/backups", json=designation(p["W2"]))
        assert_problem(again, 409)
        withdrawn = await roles.insurer.post(f"/catalog/backups/{body['id']}/withdrawal", json={"reason": "恢复供应"})
        assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn", withdrawn.text
        assert (await roles.insurer.post(f"/catalog/products/{p['W1']}/backups",
                                         json=designation(p["W2"]))).status_code == 201  # designated anew

    @pytest.mark.parametrize("case, expected", [
        ("same manufacturer", "same manufacturer"), ("not listed", "is suspended, not listed"),
        ("above the cap", "above the cap 730.00"), ("outside the region", "outside your region 500000"),
        ("itself", "failing product itself"), ("a non-winner failing", "not a winning product")])
    async def test_cat13_each_refusal_says_why_and_stores_nothing(self, roles, group, case, expected):
        code, p = group
        failing, backup, region = {
            "same manufacturer": ("W1", "W3", "500103"), "not listed": ("W1", "S1", "500103"),
            "above the cap": ("W1", "N2", "500103"), "outside the region": ("W1", "W2", "510104"),
            "itself": ("W1", "W1", "500103"), "a non-winner failing": ("N1", "W2", "500103")}[case]
        refused = assert_problem(await roles.insurer.post(f"/catalog/products/{p[failing]}/backups",
                                                          json=designation(p[backup], region)), 422)
        assert expected in refused["errors"][0]["reason"], refused
        assert error_fields(refused)[0] in ("body.backup_product_id", "body.region_code", "path.product_id")
        assert (await product(roles.hospital, p[failing]))["backups"] == []

    async def test_cat13_only_the_insurer_designates(self, roles, group):
        _, p = group
        for client in (roles.exchange, roles.hospital):
            assert_problem(await client.post(f"/catalog/products/{p['W1']}/backups", json=designation(p["W2"])), 403)
