"""Issue 21, item 3: concurrent writes of one natural key never answer 5xx and never count a
row twice. Each test sends the same write many times at once through the contracts app (each
request its own session and transaction, on a real PostgreSQL) and checks the answers, the
rows stored and the outbox. What contracts knows of the catalog (batches, products,
institutions) is written into its read models directly, as its consumers would."""

from __future__ import annotations

import asyncio
import random
from datetime import date, datetime, timezone

import httpx
import pytest
from sqlalchemy import func, select
from vbp_contracts.agreements.models import Agreement, AgreementItem
from vbp_contracts.main import create_app
from vbp_contracts.orders.models import Order, OrderLine
from vbp_contracts.settings import ContractsSettings
from vbp_contracts.volumes.models import AgreedVolume
from vbpkit.web.identity import Principal, Role
from vbpkit.domain.policy import policy_from_preset
from vbpkit.projections.catalog_view.models import BatchView, ProductView
from vbpkit.projections.registry.models import InstitutionView, fund_for_level
from vbpkit.db.tables import OutboxRow

from testsupport import EXCHANGE, SignedClient

BATCH = "LM-HCDL-2025-1"
MANUFACTURERS = ("91500000MA5U0000A1", "91500000MA5U0000B2", "91500000MA5U0000C3")
DISTRIBUTOR = "91500000MA5U0000D4"
HOSPITAL = "H500101001"
HOSPITALS = [f"H5001{n:05d}" for n in range(30)]
PRODUCTS = range(1, 11)  # 10 winning products, of the three manufacturers in turn
WINNING_FEN = 73_000
CALLS = 10


@pytest.fixture
async def contracts(service_client):
    """The contracts app on 2025-07-01, in year 1 of a chongqing-2025 batch (2025-06-20 …
    2027-06-19), with its products and hospitals known, and HOSPITAL's effective agreement
    with the first manufacturer, designated distributor and all, for product 1."""
    client = await service_client(create_app, ContractsSettings, principal=EXCHANGE, consumers_enabled=False,
                                  clock="frozen:2025-07-01T10:00:00+08:00")
    now = datetime.now(timezone.utc)
    async with client.app.state.runtime.sessionmaker() as session, session.begin():
        session.add(BatchView(code=BATCH, name=BATCH, kind="consumable", starts_on=date(2025, 6, 20),
                              ends_on=date(2027, 6, 19), ended_early_on=None,
                              policy=policy_from_preset("chongqing-2025"), groups=[], as_of=now))
        session.add_all(ProductView(product_id=p, batch_code=BATCH, group_code=None, registration_no=f"国械注准2016{p:07d}",
                                    spec="", name=f"产品 {p}", applicant_credit_code=MANUFACTURERS[p % 3],
                                    winning=True, service_price_fen=5_000, winning_price_fen=WINNING_FEN,
                                    status="listed", as_of=now) for p in PRODUCTS)
        session.add_all(InstitutionView(code=code, name=code, level=3, kind="public", region_code="500103",
                                        fund=fund_for_level(3), as_of=now) for code in [HOSPITAL, *HOSPITALS])
        agreement = Agreement(batch_code=BATCH, agreement_year=1, hospital_code=HOSPITAL,
                              manufacturer_code=MANUFACTURERS[1], distributor_code=DISTRIBUTOR, with_service=True,
                              version=1, status="effective")
        session.add(agreement)
        await session.flush()
        session.add(AgreementItem(agreement_id=agreement.id, product_id=1, agreed_quantity=100,
                                  unit_price_fen=WINNING_FEN))
    return client


@pytest.fixture
async def his(contracts):
    """The HIS of HOSPITAL, calling the same app."""
    async with SignedClient(transport=httpx.ASGITransport(app=contracts.app), base_url="http://service",
                            principal=Principal(role=Role.HOSPITAL, tenant=HOSPITAL, key_id="test-his")) as client:
        client.app = contracts.app
        yield client


async def count(client, model, *where) -> int:
    async with client.app.state.runtime.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def events(client, event_type: str) -> int:
    return await count(client, OutboxRow, OutboxRow.type == event_type)


def assert_no_5xx(responses) -> None:
    assert [r.status_code for r in responses if r.status_code >= 500] == [], [r.text for r in responses
                                                                           if r.status_code >= 500][:1]


def order(number: str = "HIS-2025-0001") -> dict:
    return {"his_order_no": number, "lines": [{"line_no": 1, "product_id": 1, "quantity": 3, "unit_price": "730.00"}]}


class TestConcurrentIdenticalOrders:
    async def test_fifty_identical_orders_answer_with_the_one_order(self, his):
        """Issue 21 / CON-4: an order is idempotent on (hospital, HIS order number). Fifty
        identical orders at once, as a HIS retrying on a timeout sends them: one 201 for the
        call that placed it, 200 with the same order for the 49 others, as a replay answers;
        one order, one line, one `contracts.order.placed`."""
        responses = await asyncio.gather(*(his.post("/orders", json=order()) for _ in range(50)))
        assert_no_5xx(responses)
        assert sorted(r.status_code for r in responses) == [200] * 49 + [201]
        assert len({r.json()["id"] for r in responses}) == 1
        assert await count(his, Order) == 1
        assert await count(his, OrderLine) == 1
        assert await events(his, "contracts.order.placed") == 1

    async def test_an_order_placed_alone_and_in_a_month_end_upload_at_once_is_placed_once(self, his):
        """Issue 21 / CON-4: the single order and the month-end upload serialise on the same
        per-hospital lock, so the one HIS order sent both ways at once is placed once: either
        one single call answers 201 or one upload counts it `created`, never both, never a 500."""
        singles = [his.post("/orders", json=order("HIS-2025-0002")) for _ in range(10)]
        uploads = [his.post("/orders/bulk", json={"orders": [order("HIS-2025-0002")]}) for _ in range(10)]
        responses = await asyncio.gather(*(call for pair in zip(singles, uploads) for call in pair))
        assert_no_5xx(responses)
        single, bulk = responses[0::2], responses[1::2]
        assert {r.status_code for r in single} <= {200, 201} and {r.status_code for r in bulk} == {200}
        assert all(r.json()["errors"] == [] for r in bulk)
        placed = sum(r.status_code == 201 for r in single) + sum(r.json()["created"] for r in bulk)
        assert placed == 1
        assert sum(r.json()["existing"] for r in bulk) == 10 - sum(r.json()["created"] for r in bulk)
        assert await count(his, Order) == 1
        assert await events(his, "contracts.order.placed") == 1


def volumes(quantity: int = 120) -> list[dict]:
    return [{"batch_code": BATCH, "agreement_year": 1, "hospital_code": h, "product_id": p, "quantity": quantity}
            for h in HOSPITALS for p in PRODUCTS]


def shuffled(rows: list[dict], seed: int) -> list[dict]:
    """The same rows in another order: two calls locking rows in request order deadlock."""
    copy = list(rows)
    random.Random(seed).shuffle(copy)
    return copy


class TestConcurrentAgreedVolumeUploads:
    async def test_ten_identical_uploads_set_each_volume_once(self, contracts):
        """Issue 21 / CON-1: ten uploads of the same 300 new agreed volumes at once, each in
        another order: all 200, `created` adds up to 300 and the rest are unchanged; 300
        volumes and one `contracts.agreed_volume.set` each."""
        rows = volumes()
        responses = await asyncio.gather(*(contracts.post("/agreed-volumes", json={"rows": shuffled(rows, seed)})
                                           for seed in range(CALLS)))
        assert_no_5xx(responses)
        assert {r.status_code for r in responses} == {200}
        answers = [r.json() for r in responses]
        assert sum(a["created"] for a in answers) == len(rows) == 300
        assert sum(a["updated"] for a in answers) == 0
        assert sum(a["unchanged"] for a in answers) == 300 * (CALLS - 1)
        assert await count(contracts, AgreedVolume) == 300
        assert await events(contracts, "contracts.agreed_volume.set") == 300


class TestConcurrentAgreementGeneration:
    async def test_ten_generations_of_one_batch_year_create_each_agreement_once(self, contracts):
        """Issue 21 / CON-2: one agreement per (batch, year, hospital, manufacturer) and version.
        Ten generations of the batch's year 1 at once: all 200, `created` adds up to the 90
        agreements (30 hospitals × 3 manufacturers), the rest unchanged; each stored once."""
        assert (await contracts.post("/agreed-volumes", json={"rows": volumes()})).status_code == 200
        before = await count(contracts, Agreement)
        responses = await asyncio.gather(*(contracts.post("/agreements/generation", json={
            "batch_code": BATCH, "agreement_year": 1}) for _ in range(CALLS)))
        assert_no_5xx(responses)
        assert {r.status_code for r in responses} == {200}
        answers = [r.json() for r in responses]
        assert sum(a["created"] for a in answers) == 90
        assert sum(a["new_versions"] + a["refreshed"] for a in answers) == 0
        assert sum(a["unchanged"] for a in answers) == 90 * (CALLS - 1)
        assert await count(contracts, Agreement) - before == 90
        assert await count(contracts, AgreementItem, AgreementItem.agreement_id.in_(
            select(Agreement.id).where(Agreement.hospital_code.in_(HOSPITALS)))) == 300
