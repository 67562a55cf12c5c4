"""The catalog end to end (DESIGN §3 CAT-1 … CAT-10, §4, §5), through the gateway as the
exchange, the insurer, companies and hospitals use it, against the shared platform (four
service processes, real PostgreSQL, a real broker): what every tests/test_catalog_*.py file
shares. The fixtures reach the tests through tests/conftest.py.

Batch codes, registration numbers and credit codes are uuid-derived so that tests sharing
the platform never see each other's rows. Issue 3: every refused write answers with a 4xx
problem+json and leaves what is stored untouched.
"""

from __future__ import annotations

import random
import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from vbp_catalog.uscc import ALPHABET, check_character
from vbptools.embedded import (
    EmbeddedBroker,
    free_port,
    free_port_block,
    server_url_to_async,
    wait_for_broker,
)
from vbptools.launcher import Platform
from testsupport import shared_database

PROBLEM = "application/problem+json"


# --- helpers ------------------------------------------------------------------------------


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    return body


def error_fields(problem: dict) -> list[str]:
    return [e["field"] for e in problem.get("errors", [])]


def new_code(prefix: str = "T") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12].upper()}"


def device_no() -> str:
    return "国械注准" + "".join(random.choices("0123456789", k=11))


def drug_no() -> str:
    return "国药准字H" + "".join(random.choices("0123456789", k=8))


def new_uscc() -> str:
    """A valid unified social credit code nobody else uses (CAT-9 check character)."""
    first_17 = "9150" + "".join(random.choices("0123456789", k=4)) + "".join(random.choices(ALPHABET, k=9))
    return first_17 + check_character(first_17)


def batch_body(code: str, preset: str = "chongqing-2025", **fields) -> dict:
    body = {
        "code": code, "name": f"批次 {code}", "kind": "consumable", "organiser_level": "alliance",
        "document_no": "渝医保办〔2025〕32号", "starts_on": "2025-06-20", "cycle_years": 2, "preset": preset,
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


async def new_batch(platform, kind: str = "consumable", **fields) -> str:
    """A provincial batch of ``kind`` starting 2026-06-01, created by the platform's admin; its code."""
    code = new_code("NU")
    created = await platform.admin.post("/catalog/batches", json=batch_body(
        code, kind=kind, organiser_level="provincial", starts_on="2026-06-01", **fields))
    assert created.status_code == 201, created.text
    return code


def listing(registration_no: str, **fields) -> dict:
    row = {
        "registration_no": registration_no, "name": "药物洗脱支架系统", "applicant": "测试医疗器械有限公司",
        "registrant": "测试医疗器械有限公司", "product_price": "680.00", "service_price": "50.00",
        "winning_price": "730.00",
    }
    row.update(fields)
    return {k: v for k, v in row.items() if v is not None}


class Roles:
    def __init__(self, platform):
        self.platform = platform
        self.clients: list[httpx.AsyncClient] = []

    async def client(self, role: str, tenant: str | None = None) -> httpx.AsyncClient:
        client = self.platform.client(await self.platform.issue_key(role, tenant))
        self.clients.append(client)
        return client

    async def company(self, credit_code: str) -> httpx.AsyncClient:
        return await self.client("company", credit_code)


@pytest.fixture(scope="session")
async def roles(shared_platform):
    handle = Roles(shared_platform)
    handle.exchange = await handle.client("exchange", "CQ-EXCHANGE")
    handle.insurer = await handle.client("insurer", "500000")
    handle.hospital = await handle.client("hospital", "H-CATALOG-E2E")
    yield handle
    for client in handle.clients:
        await client.aclose()


FROZEN_ON = "2025-10-20"


@pytest.fixture(scope="session")
async def frozen(shared_platform, pg_server, tmp_path_factory):
    """CAT-6 needs a known 'today': a platform of its own whose clock is frozen at
    2025-10-20 — after seed 002's lower price of 2025-09-26, before its deadline
    2025-10-30 — on its own databases and broker, so its events reach no other test's
    read models. Yields the roles' clients (as ``roles``) with ``.catalog_db``."""
    data = tmp_path_factory.mktemp("frozen")
    broker = EmbeddedBroker(log_path=data / "tansu.log")
    broker.start()
    try:
        await wait_for_broker(broker.bootstrap_servers)
        prefix = f"e2e_cat6_{uuid.uuid4().hex[:8]}_"
        settings = shared_platform.platform.settings.model_copy(update={
            "data_dir": data / "platform", "database_prefix": prefix, "kafka_bootstrap_servers": broker.bootstrap_servers,
            "gateway_port": free_port(), "first_service_port": free_port_block(), "clock": f"frozen:{FROZEN_ON}T10:00",
        })
        platform = Platform(settings)
        try:
            await platform.start()
            handle = type(shared_platform)(platform)  # the same RunningPlatform handle, on this platform
            frozen_roles = Roles(handle)
            frozen_roles.exchange = await frozen_roles.client("exchange", "CQ-EXCHANGE")
            frozen_roles.insurer = await frozen_roles.client("insurer", "500000")
            frozen_roles.hospital = await frozen_roles.client("hospital", "H-CATALOG-E2E")
            frozen_roles.catalog_db = create_async_engine(server_url_to_async(pg_server, f"{prefix}catalog"))
            yield frozen_roles
            await frozen_roles.catalog_db.dispose()
            for client in [*frozen_roles.clients, handle.admin]:
                await client.aclose()
        finally:
            platform.stop()
    finally:
        broker.stop()


@pytest.fixture(scope="session")
async def catalog_db(pg_server):
    """The shared platform's catalog database, to read its outbox (DESIGN §6)."""
    engine = create_async_engine(server_url_to_async(pg_server, shared_database("catalog")))
    yield engine
    await engine.dispose()


async def outbox_events(engine, *, key: str | list[str], type_: str | None = None) -> list[dict]:
    keys = [key] if isinstance(key, str) else key
    query = "SELECT envelope FROM outbox WHERE key = ANY(:keys)"
    params: dict = {"keys": keys}
    if type_ is not None:
        query += " AND type = :type"
        params["type"] = type_
    async with engine.connect() as connection:
        return list((await connection.execute(text(query + " ORDER BY id"), params)).scalars())


async def product_events(engine, *, key: str | list[str]) -> list[dict]:
    """The product's own events (``catalog.product.*``), without its payment standards' (CAT-11)."""
    return [e for e in await outbox_events(engine, key=key) if e["type"].startswith("catalog.product.")]


async def create_batch(roles: Roles, code: str, preset: str = "chongqing-2025", **fields) -> dict:
    response = await roles.insurer.post("/catalog/batches", json=batch_body(code, preset, **fields))
    assert response.status_code == 201, response.text
    return response.json()


async def push(roles: Roles, code: str, rows: list[dict]) -> dict:
    response = await roles.exchange.post(f"/catalog/batches/{code}/products", json={"rows": rows})
    assert response.status_code in (200, 207), response.text
    body = response.json()
    assert response.status_code == (207 if body["errors"] else 200), response.text  # the bulk convention
    return body


async def products_of(client: httpx.AsyncClient, code: str, **query) -> list[dict]:
    params = {"batch": code, "limit": 500, **query}
    response = await client.get("/catalog/products", params={k: v for k, v in params.items() if v is not None})
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def product(client: httpx.AsyncClient, product_id: int) -> dict:
    response = await client.get(f"/catalog/products/{product_id}")
    assert response.status_code == 200, response.text
    return response.json()


async def listed_product(roles: Roles, code: str, row: dict) -> dict:
    result = await push(roles, code, [row])
    assert result["created"] == 1 and not result["errors"], result
    [item] = await products_of(roles.exchange, code, registration_no=row["registration_no"])
    return item


async def seed_002_batch(roles: Roles, **fields) -> str:
    """A batch like seed 002's: chongqing-2025 with a 20-working-day lower-price window."""
    code = new_code("CAT6")
    body = {"kind": "drug", "starts_on": "2025-02-20", "cycle_years": None, "ends_on": "2025-12-31",
            "policy_overrides": {"lower_price_window_working_days": 20, "buy_below_winning_price": False}}
    await create_batch(roles, code, **(body | fields))
    return code


def lower_price(price: str = "700.00", effective_on: str = "2025-09-26") -> dict:
    return {"price": price, "effective_on": effective_on, "region": "江苏省", "source": "苏医保发〔2025〕12号 中选结果"}

