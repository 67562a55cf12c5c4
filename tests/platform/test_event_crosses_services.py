"""DESIGN §2/§6 and CAT-9: registering an institution in catalog reaches the read models
of contracts, settlement and monitoring — through the gateway, over the real broker."""

import uuid


def institution(code: str, level: int = 3, region: str = "500103") -> dict:
    return {"code": code, "name": f"医院 {code}", "level": level, "kind": "public", "region_code": region}


class TestInstitutionRegistrationReachesEveryService:
    async def test_every_read_model_has_the_institution(self, shared_platform):
        exchange = shared_platform.client(await shared_platform.issue_key("exchange", "CQ-EXCHANGE"))
        code = f"H{uuid.uuid4().hex[:8]}"
        response = await exchange.post("/catalog/institutions", json={"rows": [institution(code, level=1)]})
        assert response.status_code == 200, response.text
        assert response.json()["created"] == 1

        async def everywhere():
            contracts = await exchange.get(f"/contracts/institutions/{code}")
            settlement = await exchange.get(f"/settlement/institutions/{code}")
            monitoring = await exchange.get(f"/monitoring/institutions/{code}")
            assert contracts.status_code == settlement.status_code == monitoring.status_code == 200
            return contracts.json(), settlement.json(), monitoring.json()

        contracts, settlement, monitoring = await shared_platform.eventually(everywhere)
        assert contracts["kind"] == "public"
        assert settlement["fund"] == "resident"  # SET-3: level 1 draws on the resident fund
        assert monitoring["region_code"] == "500103"

    async def test_a_change_replaces_what_the_read_models_hold(self, shared_platform):
        exchange = shared_platform.client(await shared_platform.issue_key("exchange", "CQ-EXCHANGE"))
        code = f"H{uuid.uuid4().hex[:8]}"
        await exchange.post("/catalog/institutions", json={"rows": [institution(code, level=1)]})
        await exchange.post("/catalog/institutions", json={"rows": [institution(code, level=3, region="500157")]})

        async def updated():
            settlement = (await exchange.get(f"/settlement/institutions/{code}")).json()
            monitoring = (await exchange.get(f"/monitoring/institutions/{code}")).json()
            assert settlement.get("fund") == "employee"  # SET-3: level ≥ 2
            assert monitoring.get("region_code") == "500157"

        await shared_platform.eventually(updated)
