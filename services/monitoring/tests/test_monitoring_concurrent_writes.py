"""Issue 21, item 3: the exchange's monthly bulk pushes to monitoring, sent many times at once
in different orders, never answer 5xx (two pushes writing the same keys in different orders
deadlocked) and leave each key stored once. Through the monitoring app, each request its own
session and transaction on a real PostgreSQL; what monitoring knows of the catalog is written
into its read models directly, as its consumers would."""

from __future__ import annotations

import asyncio
import random
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select
from vbp_monitoring.credit.models import Breach, CompanyRating
from vbp_monitoring.main import create_app
from vbp_monitoring.savings.models import BaselinePrice
from vbp_monitoring.settings import MonitoringSettings
from vbp_monitoring.substitutes.models import NonWinningPurchase
from vbpkit.domain.policy import policy_from_preset
from vbpkit.projections.catalog_view.models import BatchView, ProductView
from vbpkit.web.identity import Principal, Role
from vbpkit.projections.registry.models import CompanyView, InstitutionView, fund_for_level
from vbpkit.db.tables import OutboxRow

from testsupport import EXCHANGE

BATCH = "CQ"
COMPANY = "91500000MA5U0000A1"
INSURER = Principal(role=Role.INSURER, tenant="500000", key_id="test-insurer")
HOSPITALS = [f"H5001{n:05d}" for n in range(30)]
PRODUCTS = range(1, 301)
CALLS = 10


@pytest.fixture
async def monitoring(service_client):
    client = await service_client(create_app, MonitoringSettings, principal=EXCHANGE, consumers_enabled=False,
                                  clock="frozen:2025-07-01T10:00:00+08:00")
    now = datetime.now(timezone.utc)
    async with client.app.state.runtime.sessionmaker() as session, session.begin():
        session.add(BatchView(code=BATCH, name=BATCH, kind="consumable", starts_on=date(2025, 1, 1),
                              ends_on=date(2026, 12, 31), ended_early_on=None,
                              policy=policy_from_preset("chongqing-2025"), groups=[], as_of=now))
        session.add_all(ProductView(product_id=p, batch_code=BATCH, group_code="G1", registration_no=f"R{p}", spec="",
                                    name=f"产品 {p}", applicant_credit_code="91500000MA5U0000A1", winning=True,
                                    service_price_fen=0, winning_price_fen=50_000, status="listed", as_of=now)
                        for p in PRODUCTS)
        session.add_all(InstitutionView(code=code, name=code, level=3, kind="public", region_code="500103",
                                        fund=fund_for_level(3), as_of=now) for code in HOSPITALS)
        session.add(CompanyView(credit_code=COMPANY, name="测试医疗器械有限公司", roles=["manufacturer"], as_of=now))
    return client


async def count(client, model) -> int:
    async with client.app.state.runtime.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def rating_events(client) -> list[dict]:
    async with client.app.state.runtime.sessionmaker() as session:
        return [e["data"] for e in await session.scalars(
            select(OutboxRow.envelope).where(OutboxRow.type == "monitoring.rating.changed").order_by(OutboxRow.id))]


def shuffled(rows: list[dict], seed: int) -> list[dict]:
    copy = list(rows)
    random.Random(seed).shuffle(copy)
    return copy


def assert_no_5xx(responses) -> None:
    assert [r.status_code for r in responses if r.status_code >= 500] == [], [r.text for r in responses
                                                                           if r.status_code >= 500][:1]


class TestConcurrentNonWinningPushes:
    async def test_ten_pushes_of_one_month_in_different_orders_store_each_purchase_once(self, monitoring):
        """Issue 21 / MON-5: the exchange's month of non-winning purchases, keyed by (hospital,
        batch, group, product, month), pushed ten times at once in ten orders: all 200, each
        storing its 300 rows, and 300 rows kept — the figure pushed, once."""
        rows = [{"hospital_code": h, "batch_code": BATCH, "group_code": "G1", "product": f"非中选 {n}",
                 "month": "2025-06", "quantity": 10 + n, "amount": f"{100 + n}.00"}
                for h in HOSPITALS for n in range(10)]
        responses = await asyncio.gather(*(monitoring.post("/non-winning-purchases", json={"rows": shuffled(rows, s)})
                                           for s in range(CALLS)))
        assert_no_5xx(responses)
        assert {r.status_code for r in responses} == {200}
        assert [(r.json()["stored"], r.json()["errors"]) for r in responses] == [(300, [])] * CALLS
        assert await count(monitoring, NonWinningPurchase) == 300


class TestConcurrentBaselinePushes:
    async def test_ten_pushes_in_different_orders_store_each_baseline_once(self, monitoring):
        """Issue 21 / MON-9: products' baseline prices, keyed by product, pushed ten times at
        once in ten orders: all 200, each storing its 300 rows, and 300 baselines kept."""
        rows = [{"product_id": p, "baseline_price": f"{600 + p}.00"} for p in PRODUCTS]
        responses = await asyncio.gather(*(monitoring.post("/baseline-prices", json={"rows": shuffled(rows, s)})
                                           for s in range(CALLS)))
        assert_no_5xx(responses)
        assert {r.status_code for r in responses} == {200}
        assert [(r.json()["stored"], r.json()["errors"]) for r in responses] == [(300, [])] * CALLS
        assert await count(monitoring, BaselinePrice) == 300


def breach(severity: str) -> dict:
    return {"company_code": COMPANY, "batch_code": BATCH, "kind": "quality", "severity": severity,
            "occurred_on": "2025-06-30", "description": "质量问题"}


class TestConcurrentBreachRecords:
    async def test_breaches_recorded_at_once_rate_the_company_once_by_the_most_severe(self, monitoring):
        """Issue 21 / MON-6: the rating is the most severe breach of the last 12 months, each
        change announced once. Ten breaches of one company recorded at once, five 一般 and five
        严重: all 201, ten breaches; the rating stored is 严重, and the announced changes run
        from no rating to it, each from the rating the one before announced."""
        monitoring.as_(INSURER)
        responses = await asyncio.gather(*(monitoring.post("/breaches", json=breach("一般" if n % 2 else "严重"))
                                           for n in range(CALLS)))
        assert_no_5xx(responses)
        assert {r.status_code for r in responses} == {201}
        assert await count(monitoring, Breach) == CALLS
        async with monitoring.app.state.runtime.sessionmaker() as session:
            assert (await session.get(CompanyRating, COMPANY)).rating == "严重"
        changes = [(e["previous_rating"], e["rating"]) for e in await rating_events(monitoring)]
        assert changes[-1][1] == "严重"
        assert [previous for previous, _ in changes] == [None] + [rating for _, rating in changes[:-1]]
        assert len(changes) <= 2  # none → 严重, or none → 一般 → 严重

    async def test_identical_breaches_recorded_at_once_announce_one_change(self, monitoring):
        """Issue 21 / MON-6: ten 严重 breaches of one company recorded at once change its
        rating once: one `monitoring.rating.changed`, from none to 严重."""
        monitoring.as_(INSURER)
        responses = await asyncio.gather(*(monitoring.post("/breaches", json=breach("严重")) for _ in range(CALLS)))
        assert_no_5xx(responses)
        assert {r.status_code for r in responses} == {201}
        assert [(e["previous_rating"], e["rating"]) for e in await rating_events(monitoring)] == [(None, "严重")]
