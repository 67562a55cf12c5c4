"""Issue 21, item 3: concurrent posts of monthly fund payables never answer 5xx and post each
(hospital, fund, month) once. Through the settlement app, each request its own session and
transaction on a real PostgreSQL; the hospitals settlement knows are written into its
registry read model directly, as its consumer would."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select
from vbp_settlement.fund_payables.models import FundPayable
from vbp_settlement.main import create_app
from vbp_settlement.settings import SettlementSettings
from vbpkit.web.identity import Principal, Role
from vbpkit.projections.registry.models import InstitutionView, fund_for_level
from vbpkit.db.tables import OutboxRow

INSURER = Principal(role=Role.INSURER, tenant="500000", key_id="test-insurer")
CALLS = 10


@pytest.fixture
async def settlement(service_client):
    return await service_client(create_app, SettlementSettings, principal=INSURER, consumers_enabled=False,
                                clock="frozen:2025-07-10T10:00:00+08:00")


async def given_hospitals(client, codes: list[str]) -> None:
    now = datetime.now(timezone.utc)
    async with client.app.state.runtime.sessionmaker() as session, session.begin():
        await session.run_sync(lambda s: s.bulk_insert_mappings(InstitutionView, [
            dict(code=code, name=code, level=3, kind="public", region_code="500103", fund=fund_for_level(3), as_of=now)
            for code in codes]))


async def count(client, model, *where) -> int:
    async with client.app.state.runtime.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


def payable(hospital: str, amount: str = "1000.00") -> dict:
    return {"hospital_code": hospital, "fund": "employee", "month": "2025-06", "amount": amount,
            "paid_on": "2025-07-01"}


def assert_no_5xx(responses) -> None:
    assert [r.status_code for r in responses if r.status_code >= 500] == [], [r.text for r in responses
                                                                           if r.status_code >= 500][:1]


class TestConcurrentFundPayablePosts:
    async def test_ten_identical_posts_in_different_orders_post_each_month_once(self, settlement):
        """Issue 21 / SET-4: ten posts of the same 30 hospitals' June payables at once, each
        in another order: all 200; each row is `posted` by one call and `unchanged` in the nine
        others; one live version each and one `settlement.offset.applied` per posted row."""
        hospitals = [f"H5001{n:05d}" for n in range(30)]
        await given_hospitals(settlement, hospitals)
        rows = [payable(h) for h in hospitals]
        bodies = [{"rows": random.Random(seed).sample(rows, len(rows))} for seed in range(CALLS)]
        responses = await asyncio.gather(*(settlement.post("/fund-payables", json=body) for body in bodies))
        assert_no_5xx(responses)
        assert {r.status_code for r in responses} == {200}
        statuses = Counter((row["hospital_code"], row["status"]) for r in responses for row in r.json()["rows"])
        assert {h: statuses[(h, "posted")] for h in hospitals} == {h: 1 for h in hospitals}
        assert {h: statuses[(h, "unchanged")] for h in hospitals} == {h: CALLS - 1 for h in hospitals}
        assert await count(settlement, FundPayable) == 30
        assert await count(settlement, OutboxRow, OutboxRow.type == "settlement.offset.applied") == 30

    async def test_two_month_end_posts_of_ten_thousand_hospitals_each_at_once_both_post(self, settlement):
        """Issue 21 / SET-4: two bureaus post their month of 10,000 hospitals each at the same
        moment. A lock per hospital would be 20,000 advisory locks held at once, past
        PostgreSQL's shared lock table ("out of shared memory", a 500): both posts answer 200
        and all 20,000 payables are posted once."""
        first = [f"HA{n:07d}" for n in range(10_000)]
        second = [f"HB{n:07d}" for n in range(10_000)]
        await given_hospitals(settlement, first + second)
        responses = await asyncio.gather(*(settlement.post("/fund-payables", json={"rows": [payable(h) for h in codes]})
                                           for codes in (first, second)))
        assert_no_5xx(responses)
        assert [r.status_code for r in responses] == [200, 200]
        assert [r.json()["posted"] for r in responses] == [10_000, 10_000]
        assert await count(settlement, FundPayable) == 20_000
