"""The catalog end to end (DESIGN §3 CAT-1 … CAT-10, §4, §5), through the gateway as the
exchange, the insurer, companies and hospitals use it, against the shared platform (four
service processes, real PostgreSQL, a real broker).

Batch codes, registration numbers and credit codes are uuid-derived so that tests sharing
the platform never see each other's rows. Issue 3: every refused write answers with a 4xx
problem+json and leaves what is stored untouched.
"""

from __future__ import annotations

import csv
import io
import random
import uuid
from pathlib import Path

import httpx
import pytest
from openpyxl import Workbook
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from vbp_catalog.main import create_app
from vbp_catalog.settings import CatalogSettings
from vbp_catalog.uscc import ALPHABET, check_character
from vbpkit.embedded import (
    EmbeddedBroker,
    free_port,
    free_port_block,
    server_url_to_async,
    wait_for_broker,
)
from vbpkit.launcher import Platform
from vbpkit.policy import PRESETS, ExecutionPolicy, policy_from_preset

from testsupport import EXCHANGE, eventually

PROBLEM = "application/problem+json"
# the seed-003 winning-product table as published (also the demo data of `make run`)
STENT_CSV = Path(__file__).resolve().parent.parent / "deploy" / "demo" / "seed003_stents.csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Seed 003's table as the catalog must store it: numbers without the space, names joined
# where the PDF broke the line, full-width brackets folded (CAT-3).
SEED_003 = [
    ("国械注准20163132305", "冠脉雷帕霉素洗脱钴基合金支架系统", "上海微创医疗器械(集团)有限公司", "上海微创医疗器械(集团)有限公司", "680.00", "50.00", "730.00"),
    ("国械注准20203131021", "药物洗脱支架系统", "赛诺医疗科学技术股份有限公司", "赛诺医疗科学技术股份有限公司", "729.00", "50.00", "779.00"),
    ("国械注准20163131174", "药物支架系统", "深圳市金瑞凯利生物科技有限公司", "深圳市金瑞凯利生物科技有限公司", "747.00", "48.00", "795.00"),
    ("国械注准20193131802", "药物洗脱冠脉支架系统", "易生科技(北京)有限公司", "易生科技(北京)有限公司", "795.00", "1.00", "796.00"),
    ("国械注准20203130662", "冠脉雷帕霉素洗脱钴基合金支架系统", "上海微创医疗器械(集团)有限公司", "上海微创医疗器械(集团)有限公司", "750.00", "50.00", "800.00"),
    ("国械注进20163130682", "药物洗脱冠脉支架系统", "美敦力(上海)管理有限公司", "Medtronic Inc.", "786.00", "20.00", "806.00"),
    ("国械注准20173131407", "药物涂层支架系统(雷帕霉素)", "山东吉威医疗制品有限公司", "山东吉威医疗制品有限公司", "774.00", "50.00", "824.00"),
    ("国械注准20223131270", "药物洗脱支架系统", "赛诺医疗科学技术股份有限公司", "赛诺医疗科学技术股份有限公司", "789.00", "50.00", "839.00"),
    ("国械注准20223130495", "钴铬合金生物可降解涂层雷帕霉素洗脱冠脉支架系统", "山东吉威医疗制品有限公司", "山东吉威医疗制品有限公司", "795.00", "50.00", "845.00"),
    ("国械注进20153130608", "铂铬合金依维莫司洗脱冠状动脉支架系统", "波科国际医疗贸易(上海)有限公司", "Boston Scientific Corporation", "798.00", "48.00", "846.00"),
    ("国械注准20173130564", "钴基合金雷帕霉素洗脱支架系统", "乐普(北京)医疗器械股份有限公司", "乐普(北京)医疗器械股份有限公司", "798.00", "50.00", "848.00"),
    ("国械注准20163130595", "冠状动脉钴铬合金可降解涂层雷帕霉素药物洗脱支架系统", "万瑞飞鸿(北京)医疗器械有限公司", "万瑞飞鸿(北京)医疗器械有限公司", "798.00", "50.00", "848.00"),
    ("国械注进20163132140", "钴铬合金依维莫司洗脱冠脉支架系统", "雅培医疗器械贸易(上海)有限公司", "Abbott Vascular", "798.00", "50.00", "848.00"),
    ("国械注准20223131010", "冠脉雷帕霉素洗脱钴基合金支架系统", "上海微创医疗器械(集团)有限公司", "上海微创医疗器械(集团)有限公司", "798.00", "50.00", "848.00"),
]


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
            "gateway_port": free_port(), "first_service_port": free_port_block(4), "clock": f"frozen:{FROZEN_ON}T10:00",
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
    engine = create_async_engine(server_url_to_async(pg_server, "e2e_shared_catalog"))
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


async def create_batch(roles: Roles, code: str, preset: str = "chongqing-2025", **fields) -> dict:
    response = await roles.insurer.post("/catalog/batches", json=batch_body(code, preset, **fields))
    assert response.status_code == 201, response.text
    return response.json()


async def push(roles: Roles, code: str, rows: list[dict]) -> dict:
    response = await roles.exchange.post(f"/catalog/batches/{code}/products", json={"rows": rows})
    assert response.status_code == 200, response.text
    return response.json()


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


# --- CAT-1 batches and §4 presets ---------------------------------------------------------


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


# --- CAT-3/CAT-4 listing pushes -----------------------------------------------------------


class TestListingPushIsIdempotent:
    """CAT-4: the exchange's push is upserted by (batch, registration number, spec); the same
    rows again change nothing and announce nothing."""

    async def test_the_same_rows_twice(self, roles, catalog_db):
        code = new_code("CAT4")
        await create_batch(roles, code)
        rows = [listing(device_no(), spec=f"3.0×{n}mm") for n in (15, 18, 24)]
        first = await push(roles, code, rows)
        assert (first["created"], first["updated"], first["unchanged"], first["errors"]) == (3, 0, 0, [])
        items = await products_of(roles.exchange, code)
        keys = [str(p["id"]) for p in items]
        events = await outbox_events(catalog_db, key=keys)
        assert len(events) == 3 and {e["type"] for e in events} == {"catalog.product.listed"}
        histories = [await product(roles.exchange, p["id"]) for p in items]

        second = await push(roles, code, rows)
        assert (second["created"], second["updated"], second["unchanged"], second["errors"]) == (0, 0, 3, [])
        assert await products_of(roles.exchange, code) == items
        assert [await product(roles.exchange, p["id"]) for p in items] == histories
        assert len(await outbox_events(catalog_db, key=keys)) == 3

    async def test_a_number_typed_with_a_space_is_the_same_listing(self, roles):
        code = new_code("CAT4")
        await create_batch(roles, code)
        number = device_no()
        await push(roles, code, [listing(number)])
        again = await push(roles, code, [listing(number[:4] + " " + number[4:])])
        assert (again["created"], again["unchanged"]) == (0, 1)


class TestListingPushRowErrors:
    """CAT-3/§5: bad rows are reported by index and field; the good rows are stored."""

    async def test_bad_rows_are_reported_and_good_rows_stored(self, roles):
        code = new_code("CAT3")
        await create_batch(roles, code)
        good = [device_no(), device_no()]
        rows = [
            listing(good[0]),
            listing("国械注准2016313230"),  # 10 digits
            listing(device_no(), winning_price="731.00"),  # ≠ 680 + 50
            listing(device_no(), product_price=None),
            listing(good[1], product_price="1.005", winning_price=None),  # more than 2 decimals (§3)
            listing(good[1]),
        ]
        result = await push(roles, code, rows)
        assert (result["received"], result["created"]) == (6, 2), result
        by_row = {}
        for error in result["errors"]:
            by_row.setdefault(error["row"], []).append(error)
        assert sorted(by_row) == [1, 2, 3, 4]
        assert by_row[1][0]["field"] == "registration_no" and "11 digits" in by_row[1][0]["reason"]
        mismatch = by_row[2][0]["reason"]
        assert all(name in mismatch for name in ("winning_price", "product_price", "service_price")), mismatch
        assert "731.00" in mismatch and "CAT-3" in mismatch
        assert any("product_price" in e["field"] + e["reason"] for e in by_row[3]), by_row[3]
        assert by_row[4][0]["field"] == "product_price"
        stored = await products_of(roles.exchange, code)
        assert sorted(p["registration_no"] for p in stored) == sorted(good)

    async def test_only_bad_rows_is_a_422_and_nothing_stored(self, roles):
        code = new_code("CAT3")
        await create_batch(roles, code)
        body = assert_problem(await roles.exchange.post(
            f"/catalog/batches/{code}/products", json={"rows": [listing("国械注准123")]}), 422)
        assert "body.rows.0.registration_no" in error_fields(body)
        assert await products_of(roles.exchange, code) == []

    async def test_more_than_10000_rows_is_refused(self, roles):
        code = new_code("CAT4")
        await create_batch(roles, code)
        rows = [listing(device_no()) for _ in range(10_001)]
        body = assert_problem(await roles.exchange.post(f"/catalog/batches/{code}/products", json={"rows": rows}), 422)
        assert "body.rows" in error_fields(body)
        assert await products_of(roles.exchange, code) == []

    async def test_an_unknown_batch_is_404(self, roles):
        assert_problem(await roles.exchange.post(
            f"/catalog/batches/{new_code('NONE')}/products", json={"rows": [listing(device_no())]}), 404)

    @pytest.mark.parametrize("role", ["insurer", "hospital", "company"])
    async def test_only_the_exchange_pushes(self, roles, role):
        code = new_code("CAT4")
        await create_batch(roles, code)
        client = {"insurer": roles.insurer, "hospital": roles.hospital}.get(role) or await roles.company(new_uscc())
        assert_problem(await client.post(f"/catalog/batches/{code}/products",
                                         json={"rows": [listing(device_no())]}), 403)
        assert await products_of(roles.exchange, code) == []


class TestListingPushChangesAreHistory:
    """CAT-4: a price or status change pushed by the exchange is kept in the product's
    history with who and why, and announced."""

    async def test_price_then_status(self, roles, catalog_db):
        code = new_code("CAT4")
        await create_batch(roles, code)
        number = device_no()
        item = await listed_product(roles, code, listing(number))

        changed = await push(roles, code, [listing(number, product_price="670.00", winning_price="720.00")])
        assert (changed["updated"], changed["errors"]) == (1, [])
        detail = await product(roles.hospital, item["id"])
        assert (detail["product_price"], detail["winning_price"]) == ("670.00", "720.00")
        [price] = [h for h in detail["history"] if h["kind"] == "price"]
        assert (price["old_value"], price["new_value"]) == ("730.00", "720.00")
        assert price["changed_by"].startswith("exchange:") and "CAT-4" in price["reason"]

        suspended = await push(roles, code, [listing(number, product_price="670.00", winning_price="720.00",
                                                     status="suspended")])
        assert suspended["updated"] == 1
        detail = await product(roles.hospital, item["id"])
        assert detail["status"] == "suspended"
        [status] = [h for h in detail["history"] if h["kind"] == "status"]
        assert (status["old_value"], status["new_value"]) == ("listed", "suspended")
        assert status["changed_by"].startswith("exchange:") and status["reason"]

        types = [e["type"] for e in await outbox_events(catalog_db, key=str(item["id"]))]
        assert types == ["catalog.product.listed", "catalog.product.price_changed", "catalog.product.status_changed"]


class TestWithAndWithoutServicePrice:
    """CAT-3 (seeds 003, 004): the winning price is with the accompanying service; the
    product price is the 'without service' price; winning = product + service exactly."""

    async def test_both_prices_are_kept(self, roles):
        code = new_code("CAT3")
        await create_batch(roles, code, "chongqing-stent-2023")
        item = await listed_product(roles, code, listing(device_no()))
        assert (item["product_price"], item["service_price"], item["winning_price"]) == ("680.00", "50.00", "730.00")

    async def test_the_winning_price_is_computed_when_not_given(self, roles):
        code = new_code("CAT3")
        await create_batch(roles, code, "chuxiong-2022")
        item = await listed_product(roles, code, listing(device_no(), product_price="795", service_price="1",
                                                         winning_price=None))
        assert (item["product_price"], item["service_price"], item["winning_price"]) == ("795.00", "1.00", "796.00")


# --- CAT-3 import of the seed-003 table ---------------------------------------------------


def stent_xlsx() -> bytes:
    """The seed-003 CSV as a workbook, prices and line numbers as numbers."""
    with STENT_CSV.open(encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    book = Workbook()
    sheet = book.active
    sheet.append(["国家组织冠脉支架集中带量接续采购中选结果"])  # a title row above the headings
    sheet.append(table[0])
    for row in table[1:]:
        sheet.append([int(row[0]), *row[1:5], *(int(cell) for cell in row[5:])])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def import_table(roles: Roles, code: str, content: bytes, content_type: str) -> httpx.Response:
    return await roles.exchange.post(f"/catalog/batches/{code}/products/import", content=content,
                                     headers={"content-type": content_type})


def as_table(items: list[dict]) -> list[tuple]:
    return sorted(
        (p["registration_no"], p["name"], p["applicant"], p["registrant"], p["product_price"], p["service_price"],
         p["winning_price"]) for p in items
    )


class TestSeed003TableImport:
    """CAT-3: the seed-003 table imports as written — spaces in numbers, names broken across
    lines, full-width brackets — from .csv and from .xlsx, and a second import changes nothing."""

    async def test_the_csv_as_written_in_the_seed(self, roles):
        code = new_code("CAT3")
        await create_batch(roles, code, "chongqing-stent-2023", starts_on="2023-01-31", cycle_years=3)
        response = await import_table(roles, code, STENT_CSV.read_bytes(), "text/csv; charset=utf-8")
        assert response.status_code == 200, response.text
        assert (response.json()["created"], response.json()["errors"]) == (14, [])
        items = await products_of(roles.hospital, code)
        assert len(items) == 14
        assert as_table(items) == sorted(SEED_003)
        first = next(p for p in items if p["registration_no"] == "国械注准20163132305")
        assert (first["product_price"], first["service_price"], first["winning_price"]) == ("680.00", "50.00", "730.00")
        medtronic = next(p for p in items if p["registration_no"] == "国械注进20163130682")
        assert medtronic["applicant"] == "美敦力(上海)管理有限公司"

        again = await import_table(roles, code, STENT_CSV.read_bytes(), "text/csv")
        assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (0, 0, 14)

    async def test_the_xlsx_gives_the_same_catalog(self, roles):
        code = new_code("CAT3")
        await create_batch(roles, code, "chongqing-stent-2023", starts_on="2023-01-31", cycle_years=3)
        response = await import_table(roles, code, stent_xlsx(), XLSX)
        assert response.status_code == 200, response.text
        assert (response.json()["created"], response.json()["errors"]) == (14, [])
        assert as_table(await products_of(roles.hospital, code)) == sorted(SEED_003)
        again = await import_table(roles, code, stent_xlsx(), XLSX)
        assert again.json()["unchanged"] == 14

    async def test_a_table_without_the_registration_heading_is_refused(self, roles):
        code = new_code("CAT3")
        await create_batch(roles, code, "chongqing-stent-2023")
        content = STENT_CSV.read_text(encoding="utf-8").replace("注册证编号", "编号", 1).encode()
        body = assert_problem(await import_table(roles, code, content, "text/csv"), 422)
        assert "注册证编号" in body["detail"]
        assert await products_of(roles.exchange, code) == []

    async def test_a_wrong_content_type_is_415(self, roles):
        code = new_code("CAT3")
        await create_batch(roles, code, "chongqing-stent-2023")
        assert_problem(await import_table(roles, code, STENT_CSV.read_bytes(), "application/json"), 415)
        assert await products_of(roles.exchange, code) == []

    async def test_a_broken_workbook_is_a_4xx(self, roles):
        code = new_code("CAT3")
        await create_batch(roles, code, "chongqing-stent-2023")
        response = await import_table(roles, code, b"PK\x03\x04 not really a workbook", XLSX)
        assert 400 <= response.status_code < 500 and response.headers["content-type"].startswith(PROBLEM)
        assert await products_of(roles.exchange, code) == []


# --- CAT-5 renewed registration -----------------------------------------------------------


class TestRenewedRegistrationKeepsPriceAndStatus:
    """CAT-5 (seed 000): a renewed registration certificate keeps the winning status and
    price; the new number is linked to the old one."""

    async def test_the_product_is_the_same_under_its_new_number(self, roles):
        code = new_code("CAT5")
        await create_batch(roles, code)
        old, new = device_no(), device_no()
        item = await listed_product(roles, code, listing(old, spec="3.0×18mm"))
        await push(roles, code, [listing(old, spec="3.0×18mm", status="suspended")])

        renewed = await push(roles, code, [listing(new, spec="3.0×18mm", renewed_from=old)])
        assert (renewed["created"], renewed["updated"], renewed["errors"]) == (0, 1, [])
        detail = await product(roles.hospital, item["id"])
        assert detail["registration_no"] == new and detail["renewed_from"] == old
        assert (detail["winning_price"], detail["status"]) == ("730.00", "suspended")
        [registration] = [h for h in detail["history"] if h["kind"] == "registration"]
        assert (registration["old_value"], registration["new_value"]) == (old, new)
        assert "CAT-5" in registration["reason"]

        [found] = await products_of(roles.hospital, code, registration_no=old)
        assert found["id"] == item["id"] and found["registration_no"] == new
        assert len(await products_of(roles.hospital, code)) == 1

    async def test_a_renewal_at_another_price_is_refused(self, roles):
        code = new_code("CAT5")
        await create_batch(roles, code)
        old, new = device_no(), device_no()
        item = await listed_product(roles, code, listing(old))
        body = assert_problem(await roles.exchange.post(f"/catalog/batches/{code}/products", json={"rows": [
            listing(new, renewed_from=old, product_price="700.00", winning_price="750.00")]}), 422)
        [error] = body["errors"]
        assert error["field"] == "body.rows.0.renewed_from" and "CAT-5" in error["reason"] and "730.00" in error["reason"]
        detail = await product(roles.exchange, item["id"])
        assert (detail["registration_no"], detail["winning_price"]) == (old, "730.00")
        assert await products_of(roles.exchange, code, registration_no=new) == []

    async def test_a_renewal_of_an_unknown_number_is_refused(self, roles):
        code = new_code("CAT5")
        await create_batch(roles, code)
        unknown, new = device_no(), device_no()
        result = await push(roles, code, [listing(new, renewed_from=unknown), listing(device_no())])
        assert result["created"] == 1
        [error] = result["errors"]
        assert error["row"] == 0 and error["field"] == "renewed_from" and unknown in error["reason"]
        assert await products_of(roles.exchange, code, registration_no=new) == []


# --- CAT-7 non-winning cap ----------------------------------------------------------------


class TestNonWinningListingIsCapped:
    """CAT-7 (seed 003): a non-winning product may be listed at most at the national lowest
    price; a higher listing is refused with the cap in the error."""

    async def test_above_the_cap_is_refused_at_or_below_stored(self, roles):
        code = new_code("CAT7")
        await create_batch(roles, code, "chongqing-stent-2023")
        above, at, below = device_no(), device_no(), device_no()
        result = await push(roles, code, [
            listing(above, winning=False, national_lowest_price="700.00"),
            listing(at, winning=False, national_lowest_price="730.00"),
            listing(below, winning=False, national_lowest_price="800.00"),
        ])
        assert result["created"] == 2
        [error] = result["errors"]
        assert error["row"] == 0 and "700.00" in error["reason"] and "CAT-7" in error["reason"]
        stored = {p["registration_no"]: p for p in await products_of(roles.exchange, code)}
        assert sorted(stored) == sorted([at, below])
        assert stored[at]["winning"] is False and stored[at]["national_lowest_price"] == "730.00"

    async def test_a_non_winning_row_needs_the_cap(self, roles):
        code = new_code("CAT7")
        await create_batch(roles, code, "chongqing-stent-2023")
        result = await push(roles, code, [listing(device_no(), winning=False), listing(device_no())])
        assert result["created"] == 1
        assert "national_lowest_price" in result["errors"][0]["reason"]


# --- CAT-8 differential pricing -----------------------------------------------------------


DIFFERENTIAL = {"reference_strength": 10, "strength": 20, "reference_pack": 7, "pack": 14}


class TestDifferentialPricing:
    """CAT-8 (seed 002): another strength or pack of a winning drug is listed at
    price_ref × 1.7^log2(strength ratio) × 1.95^log2(pack ratio), rounded half-up."""

    async def _drug_batch(self, roles) -> tuple[str, str, dict]:
        code = new_code("CAT8")
        await create_batch(roles, code, kind="drug", starts_on="2025-02-20", cycle_years=None, ends_on="2025-12-31")
        number = drug_no()
        # ¥3.00 × 1.7 × 1.95 = 9.945 → half-up 9.95 (half-even would give 9.94)
        reference = await listed_product(roles, code, listing(
            number, name="阿托伐他汀钙片", spec="10mg×7片", unit="盒", product_price="3.00", service_price="0",
            winning_price=None))
        return code, number, reference

    async def test_the_price_is_derived_and_explained(self, roles):
        code, number, reference = await self._drug_batch(roles)
        differential = {"reference_registration_no": number, "reference_spec": "10mg×7片", **DIFFERENTIAL}
        result = await push(roles, code, [listing(number, name="阿托伐他汀钙片", spec="20mg×14片", unit="盒",
                                                  product_price=None, service_price="0", winning_price=None,
                                                  differential=differential)])
        assert (result["created"], result["errors"]) == (1, [])
        derived = next(p for p in await products_of(roles.hospital, code) if p["spec"] == "20mg×14片")
        assert derived["product_price"] == derived["winning_price"] == "9.95"
        explain = derived["derivation"]
        assert explain["rule"] == "CAT-8" and "1.7" in explain["formula"] and "1.95" in explain["formula"]
        assert explain["inputs"]["reference_price"] == "3.00" and explain["price"] == "9.95"

        quote = await roles.hospital.get(f"/catalog/products/{reference['id']}/differential-price",
                                         params=DIFFERENTIAL)
        assert quote.status_code == 200, quote.text
        assert quote.json()["price"] == "9.95" and quote.json()["explain"]["rule"] == "CAT-8"

    async def test_a_different_price_is_refused_with_the_computed_one(self, roles):
        code, number, _ = await self._drug_batch(roles)
        differential = {"reference_registration_no": number, "reference_spec": "10mg×7片", **DIFFERENTIAL}
        body = assert_problem(await roles.exchange.post(f"/catalog/batches/{code}/products", json={"rows": [
            listing(number, spec="20mg×14片", product_price="9.00", service_price="0", winning_price=None,
                    differential=differential)]}), 422)
        [error] = body["errors"]
        assert "9.95" in error["reason"] and "CAT-8" in error["reason"]
        assert len(await products_of(roles.exchange, code)) == 1

    async def test_a_consumable_batch_has_no_differential_pricing(self, roles):
        code = new_code("CAT8")
        await create_batch(roles, code)
        number = device_no()
        await listed_product(roles, code, listing(number, spec="A"))
        differential = {"reference_registration_no": number, "reference_spec": "A", **DIFFERENTIAL}
        result = await push(roles, code, [listing(number, spec="B", product_price=None, winning_price=None,
                                                  differential=differential), listing(device_no())])
        assert result["created"] == 1
        [error] = result["errors"]
        assert error["row"] == 0 and error["field"] == "differential" and "CAT-8" in error["reason"]
        reference = (await products_of(roles.exchange, code, registration_no=number))[0]
        quote = await roles.hospital.get(f"/catalog/products/{reference['id']}/differential-price",
                                         params=DIFFERENTIAL)
        assert "CAT-8" in assert_problem(quote, 422)["detail"]

    async def test_the_reference_must_be_a_winning_product_of_the_batch(self, roles):
        code, number, _ = await self._drug_batch(roles)
        unknown = {"reference_registration_no": drug_no(), "reference_spec": "10mg×7片", **DIFFERENTIAL}
        other_spec = {"reference_registration_no": number, "reference_spec": "5mg×7片", **DIFFERENTIAL}
        result = await push(roles, code, [
            listing(number, spec="20mg×14片", product_price=None, winning_price=None, service_price="0",
                    differential=unknown),
            listing(number, spec="20mg×28片", product_price=None, winning_price=None, service_price="0",
                    differential=other_spec),
            listing(drug_no(), spec="1", product_price="1.00", winning_price=None, service_price="0"),
        ])
        assert result["created"] == 1
        assert [(e["row"], e["field"]) for e in result["errors"]] == [
            (0, "differential.reference_registration_no"), (1, "differential.reference_registration_no")]


# --- search ---------------------------------------------------------------------------------


class TestProductSearch:
    """§5 outline: the catalog is searched by batch, name, registration number, company and
    status, paginated by cursor; a company sees its own products with mine=true."""

    async def test_filters_and_pages(self, roles):
        code = new_code("SRCH")
        await create_batch(roles, code)
        token = uuid.uuid4().hex[:6]
        mine, theirs = new_uscc(), new_uscc()
        numbers = [device_no() for _ in range(3)]
        await push(roles, code, [
            listing(numbers[0], name=f"冠脉支架{token}甲", applicant=f"重庆{token}医疗有限公司", applicant_credit_code=mine),
            listing(numbers[1], name=f"冠脉支架{token}乙", applicant="北京另一家公司", applicant_credit_code=theirs,
                    status="suspended"),
            listing(numbers[2], name="球囊导管", applicant="上海第三公司"),
        ])
        everyone = await products_of(roles.hospital, code)
        assert sorted(p["registration_no"] for p in everyone) == sorted(numbers)

        by_name = await products_of(roles.hospital, code, name=token)
        assert sorted(p["registration_no"] for p in by_name) == sorted(numbers[:2])
        spaced = numbers[2][:4] + " " + numbers[2][4:]
        assert [p["registration_no"] for p in await products_of(roles.hospital, None, registration_no=spaced)] \
            == [numbers[2]]
        assert [p["registration_no"] for p in await products_of(roles.hospital, code, company=mine)] == [numbers[0]]
        assert [p["registration_no"] for p in await products_of(roles.hospital, code, company=f"{token}医疗")] \
            == [numbers[0]]
        assert [p["registration_no"] for p in await products_of(roles.hospital, code, status="suspended")] \
            == [numbers[1]]

        first = (await roles.hospital.get("/catalog/products", params={"batch": code, "limit": 2})).json()
        assert len(first["items"]) == 2 and first["next_cursor"] is not None
        rest = (await roles.hospital.get("/catalog/products",
                                         params={"batch": code, "limit": 2, "cursor": first["next_cursor"]})).json()
        assert len(rest["items"]) == 1 and rest["next_cursor"] is None
        assert [p["id"] for p in first["items"] + rest["items"]] == [p["id"] for p in everyone]

        company = await roles.company(mine)
        own = (await company.get("/catalog/products", params={"mine": "true"})).json()["items"]
        assert [p["registration_no"] for p in own] == [numbers[0]]
        assert all(p["applicant_credit_code"] == mine for p in own)

    async def test_mine_is_for_companies(self, roles):
        body = assert_problem(await roles.exchange.get("/catalog/products", params={"mine": "true"}), 422)
        assert "query.mine" in error_fields(body)

    @pytest.mark.parametrize("query", [{"status": "sold"}, {"limit": 0}, {"cursor": "abc"}, {"name": ""}])
    async def test_bad_filters_are_422(self, roles, query):
        assert_problem(await roles.hospital.get("/catalog/products", params=query), 422)


# --- CAT-6 lower price --------------------------------------------------------------------


async def seed_002_batch(roles: Roles, **fields) -> str:
    """A batch like seed 002's: chongqing-2025 with a 20-working-day lower-price window."""
    code = new_code("CAT6")
    body = {"kind": "drug", "starts_on": "2025-02-20", "cycle_years": None, "ends_on": "2025-12-31",
            "policy_overrides": {"lower_price_window_working_days": 20, "buy_below_winning_price": False}}
    await create_batch(roles, code, **(body | fields))
    return code


def lower_price(price: str = "700.00", effective_on: str = "2025-09-26") -> dict:
    return {"price": price, "effective_on": effective_on, "region": "江苏省", "source": "苏医保发〔2025〕12号 中选结果"}


class TestLowerPriceDeadline:
    """CAT-6 (seed 002): the company has 20 Chinese working days after the lower price took
    effect — holidays skipped, make-up workdays counted (CAT-10)."""

    async def test_the_deadline_skips_national_day_and_counts_make_up_days(self, frozen):
        code = await seed_002_batch(frozen)
        item = await listed_product(frozen, code, listing(drug_no()))
        response = await frozen.exchange.post(f"/catalog/products/{item['id']}/lower-prices", json=lower_price())
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["deadline_on"] == "2025-10-30" and body["status"] == "open"
        explain = body["explain"]
        assert explain["rule"] == "CAT-6" and explain["window_working_days"] == 20
        assert explain["preset"] == "chongqing-2025"
        assert (explain["lower_price"], explain["winning_price"]) == ("700.00", "730.00")
        assert explain["deadline"]["skipped_holidays"] == [f"2025-10-0{d}" for d in range(1, 9)]
        assert explain["deadline"]["counted_makeup_workdays"] == ["2025-09-28", "2025-10-11"]
        assert explain["deadline"]["due_on"] == "2025-10-30"
        recorded = (await product(frozen.hospital, item["id"]))["lower_prices"]
        assert [(lp["id"], lp["status"]) for lp in recorded] == [(body["id"], "open")]

    async def test_a_price_not_lower_is_refused(self, frozen):
        code = await seed_002_batch(frozen)
        item = await listed_product(frozen, code, listing(drug_no()))
        for price in ("730.00", "731.00"):
            body = assert_problem(await frozen.exchange.post(
                f"/catalog/products/{item['id']}/lower-prices", json=lower_price(price)), 422)
            assert "body.price" in error_fields(body)
        assert (await product(frozen.exchange, item["id"]))["lower_prices"] == []

    async def test_a_batch_without_the_window_is_refused(self, frozen):
        code = new_code("CAT6")
        await create_batch(frozen, code, "chongqing-stent-2023")
        item = await listed_product(frozen, code, listing(device_no()))
        body = assert_problem(await frozen.exchange.post(
            f"/catalog/products/{item['id']}/lower-prices", json=lower_price()), 422)
        assert "CAT-6" in body["detail"]
        assert (await product(frozen.exchange, item["id"]))["lower_prices"] == []

    @pytest.mark.parametrize("effective_on", ["2025-02-19", "2026-01-01"])
    async def test_a_lower_price_outside_the_cycle_is_refused(self, frozen, effective_on):
        """Seed 002: 采购周期内出现的 lower price obliges; the cycle is 2025-02-20 … 2025-12-31."""
        code = await seed_002_batch(frozen)
        item = await listed_product(frozen, code, listing(drug_no()))
        body = assert_problem(await frozen.exchange.post(
            f"/catalog/products/{item['id']}/lower-prices", json=lower_price(effective_on=effective_on)), 422)
        assert "body.effective_on" in error_fields(body)
        assert (await product(frozen.exchange, item["id"]))["lower_prices"] == []

    async def test_a_non_winning_listing_has_no_lower_price_obligation(self, frozen):
        code = await seed_002_batch(frozen)
        item = await listed_product(frozen, code, listing(drug_no(), winning=False, national_lowest_price="800.00"))
        body = assert_problem(await frozen.exchange.post(
            f"/catalog/products/{item['id']}/lower-prices", json=lower_price()), 422)
        assert "winning" in body["detail"]
        assert (await product(frozen.exchange, item["id"]))["lower_prices"] == []

    @pytest.mark.parametrize("role", ["insurer", "hospital", "company"])
    async def test_only_the_exchange_records_lower_prices(self, frozen, role):
        code = await seed_002_batch(frozen)
        credit_code = new_uscc()
        item = await listed_product(frozen, code, listing(drug_no(), applicant_credit_code=credit_code))
        client = {"insurer": frozen.insurer, "hospital": frozen.hospital}.get(role) or await frozen.company(credit_code)
        assert_problem(await client.post(f"/catalog/products/{item['id']}/lower-prices", json=lower_price()), 403)
        assert (await product(frozen.exchange, item["id"]))["lower_prices"] == []


async def product_with_lower_price(roles: Roles, body: dict | None = None) -> tuple[dict, httpx.AsyncClient]:
    """A seed-002 product of its own company (tenant = applicant credit code) with a lower
    price recorded against it; returns the product and the company's client."""
    code = await seed_002_batch(roles)
    credit_code = new_uscc()
    item = await listed_product(roles, code, listing(drug_no(), applicant_credit_code=credit_code))
    recorded = await roles.exchange.post(f"/catalog/products/{item['id']}/lower-prices", json=body or lower_price())
    assert recorded.status_code == 201, recorded.text
    return item, await roles.company(credit_code)


def reduction(price: str, effective_on: str = FROZEN_ON) -> dict:
    return {"winning_price": price, "effective_on": effective_on}


class TestCompanyReductionMeetsTheLowerPrice:
    """CAT-6: the product's own company applies, by the deadline, to lower its price to at
    most the lower price; the obligation is met and the winning price is lowered from the
    reduction's effective date."""

    async def test_a_timely_reduction(self, frozen):
        item, company = await product_with_lower_price(frozen)
        response = await company.post(f"/catalog/products/{item['id']}/price-reductions", json=reduction("700.00"))
        assert response.status_code == 201, response.text
        assert response.json()["applied"] is True

        detail = await product(company, item["id"])
        assert (detail["winning_price"], detail["product_price"], detail["service_price"]) == ("700.00", "650.00", "50.00")
        assert detail["status"] == "listed"
        assert [lp["status"] for lp in detail["lower_prices"]] == ["met"]
        price = [h for h in detail["history"] if h["kind"] == "price"][-1]
        assert (price["old_value"], price["new_value"], price["effective_on"]) == ("730.00", "700.00", FROZEN_ON)
        assert price["changed_by"].startswith("company:")
        [event] = await outbox_events(frozen.catalog_db, key=str(item["id"]), type_="catalog.product.price_changed")
        assert event["data"]["winning_price_fen"] == 70000 and event["data"]["effective_on"] == FROZEN_ON

        assert (await frozen.insurer.post("/catalog/lower-prices/checks")).status_code == 200
        assert (await product(company, item["id"]))["status"] == "listed"

    async def test_a_reduction_due_later_meets_it_now_and_applies_on_its_day(self, frozen):
        item, company = await product_with_lower_price(frozen)
        response = await company.post(f"/catalog/products/{item['id']}/price-reductions",
                                      json=reduction("690.00", "2025-10-30"))
        assert response.status_code == 201, response.text
        assert response.json()["applied"] is False
        detail = await product(company, item["id"])
        assert detail["winning_price"] == "730.00"  # not before 2025-10-30
        assert [lp["status"] for lp in detail["lower_prices"]] == ["met"]

    async def test_a_reduction_above_the_lower_price_does_not_meet_it(self, frozen):
        item, company = await product_with_lower_price(frozen)
        response = await company.post(f"/catalog/products/{item['id']}/price-reductions", json=reduction("710.00"))
        assert response.status_code == 201, response.text
        detail = await product(company, item["id"])
        assert detail["winning_price"] == "710.00"
        assert [lp["status"] for lp in detail["lower_prices"]] == ["open"]

    async def test_a_reduction_effective_after_the_deadline_does_not_meet_it(self, frozen):
        item, company = await product_with_lower_price(frozen)
        response = await company.post(f"/catalog/products/{item['id']}/price-reductions",
                                      json=reduction("700.00", "2025-10-31"))
        assert response.status_code == 201, response.text
        assert [lp["status"] for lp in (await product(company, item["id"]))["lower_prices"]] == ["open"]

    async def test_a_late_back_dated_reduction_does_not_meet_it(self, frozen):
        """Seed 002: the company must *apply* within the 20 working days; on 2025-10-20 a
        lower price of 2025-09-01 (deadline 2025-09-28) can no longer be met by a reduction
        back-dated to 2025-09-20 — the product is disqualified."""
        item, company = await product_with_lower_price(frozen, lower_price(effective_on="2025-09-01"))
        assert (await product(company, item["id"]))["lower_prices"][0]["deadline_on"] == "2025-09-28"
        response = await company.post(f"/catalog/products/{item['id']}/price-reductions",
                                      json=reduction("700.00", "2025-09-20"))
        # 409 if the platform's own schedule disqualified it first, else accepted but not meeting it
        assert response.status_code in (201, 409), response.text
        assert (await frozen.insurer.post("/catalog/lower-prices/checks")).status_code == 200
        detail = await product(company, item["id"])
        assert detail["status"] == "disqualified"
        assert [lp["status"] for lp in detail["lower_prices"]] == ["lapsed"]

    async def test_another_company_cannot_touch_the_price(self, frozen):
        item, _ = await product_with_lower_price(frozen)
        stranger = await frozen.company(new_uscc())
        body = assert_problem(await stranger.post(f"/catalog/products/{item['id']}/price-reductions",
                                                  json=reduction("700.00")), 404)
        assert str(item["id"]) in body["detail"]
        detail = await product(frozen.exchange, item["id"])
        assert detail["winning_price"] == "730.00" and detail["price_reductions"] == []
        assert [lp["status"] for lp in detail["lower_prices"]] == ["open"]

    async def test_a_reduction_not_below_the_price_is_refused(self, frozen):
        item, company = await product_with_lower_price(frozen)
        for price in ("730.00", "800.00"):
            body = assert_problem(await company.post(f"/catalog/products/{item['id']}/price-reductions",
                                                     json=reduction(price)), 422)
            assert "body.winning_price" in error_fields(body)
        detail = await product(frozen.exchange, item["id"])
        assert detail["winning_price"] == "730.00" and detail["price_reductions"] == []
        assert [lp["status"] for lp in detail["lower_prices"]] == ["open"]


class TestLapsedLowerPriceDisqualifies:
    """CAT-6: without a reduction by the deadline the product is disqualified automatically
    (取消中选资格) with an event; checking again changes nothing."""

    async def test_the_check_disqualifies_once(self, frozen):
        item, _ = await product_with_lower_price(frozen, lower_price("650.00", "2025-03-03"))
        assert (await product(frozen.hospital, item["id"]))["lower_prices"][0]["deadline_on"] == "2025-03-31"

        assert_problem(await frozen.exchange.post("/catalog/lower-prices/checks"), 403)
        check = await frozen.insurer.post("/catalog/lower-prices/checks")
        assert check.status_code == 200, check.text
        assert check.json()["today"] == FROZEN_ON
        detail = await product(frozen.hospital, item["id"])
        assert detail["status"] == "disqualified"
        assert [lp["status"] for lp in detail["lower_prices"]] == ["lapsed"]
        [status] = [h for h in detail["history"] if h["kind"] == "status"]
        assert status["new_value"] == "disqualified" and status["changed_by"] == "system:CAT-6"
        assert "CAT-6" in status["reason"] and "650.00" in status["reason"]
        assert status["effective_on"] == FROZEN_ON
        [event] = await outbox_events(frozen.catalog_db, key=str(item["id"]), type_="catalog.product.status_changed")
        assert event["data"]["status"] == "disqualified" and event["data"]["previous_status"] == "listed"

        second = await frozen.insurer.post("/catalog/lower-prices/checks")
        assert second.status_code == 200 and item["id"] not in second.json()["disqualified_products"]
        assert await product(frozen.hospital, item["id"]) == detail
        assert len(await outbox_events(frozen.catalog_db, key=str(item["id"]),
                                       type_="catalog.product.status_changed")) == 1

    async def test_a_disqualified_product_takes_no_further_lower_price(self, frozen):
        item, company = await product_with_lower_price(frozen, lower_price("650.00", "2025-03-03"))
        await frozen.insurer.post("/catalog/lower-prices/checks")
        assert_problem(await frozen.exchange.post(f"/catalog/products/{item['id']}/lower-prices",
                                                  json=lower_price()), 409)
        assert_problem(await company.post(f"/catalog/products/{item['id']}/price-reductions",
                                          json=reduction("600.00")), 409)

class TestLowerPriceScheduleRunsByItself:
    """CAT-6: the check runs on its own schedule against the service clock — here every 0.2 s
    with the clock frozen at 2025-12-01, in process."""

    async def test_the_schedule_disqualifies_without_being_asked(self, service_client):
        client = await service_client(create_app, CatalogSettings, lower_price_check_seconds=0.2,
                                      clock="frozen:2025-12-01T10:00")
        code = new_code("CAT6")
        created = await client.post("/batches", json=batch_body(
            code, kind="drug", starts_on="2025-02-20", cycle_years=None, ends_on="2025-12-31",
            policy_overrides={"lower_price_window_working_days": 20}))
        assert created.status_code == 201, created.text
        late, timely = drug_no(), drug_no()
        client.as_(EXCHANGE)
        pushed = await client.post(f"/batches/{code}/products", json={"rows": [listing(late), listing(timely)]})
        assert pushed.json()["created"] == 2, pushed.text
        ids = {p["registration_no"]: p["id"] for p in (await client.get("/products", params={"batch": code})).json()["items"]}
        # deadline 2025-10-30 is before the clock's 2025-12-01; 2025-11-28 + 20 working days is not
        for number, effective_on in ((late, "2025-09-26"), (timely, "2025-11-28")):
            response = await client.post(f"/products/{ids[number]}/lower-prices", json=lower_price("700.00", effective_on))
            assert response.status_code == 201, response.text

        async def disqualified():
            detail = (await client.get(f"/products/{ids[late]}")).json()
            assert detail["status"] == "disqualified"
            return detail

        detail = await eventually(disqualified, timeout=10)
        assert detail["history"][-1]["changed_by"] == "system:CAT-6"
        assert detail["history"][-1]["effective_on"] == "2025-12-01"
        other = (await client.get(f"/products/{ids[timely]}")).json()
        assert other["status"] == "listed" and [lp["status"] for lp in other["lower_prices"]] == ["open"]


# --- CAT-9 companies -------------------------------------------------------------------------


class TestCompanyRegistry:
    """CAT-9: companies are keyed by a unified social credit code whose GB 32100-2015 check
    character is validated; bad rows are reported, good rows stored."""

    async def test_a_wrong_check_character_is_named(self, roles):
        good, other = new_uscc(), new_uscc()
        expected = good[-1]
        wrong = good[:-1] + ("0" if expected != "0" else "1")
        bad_twin = new_uscc()
        bad_twin = bad_twin[:-1] + ("0" if bad_twin[-1] != "0" else "1")
        rows = [
            {"credit_code": good, "name": "重庆某医药有限公司", "roles": ["manufacturer"]},
            {"credit_code": bad_twin, "name": "错码公司", "roles": ["distributor"]},
            {"credit_code": other, "name": "某配送公司", "roles": ["distributor", "manufacturer"]},
        ]
        response = await roles.exchange.post("/catalog/companies", json={"rows": rows})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["created"] == 2
        [error] = body["errors"]
        assert error["row"] == 1 and error["field"] == "credit_code"
        assert f"expected {check_character(bad_twin[:17])!r}" in error["reason"]
        assert (await roles.hospital.get(f"/catalog/companies/{good}")).json()["roles"] == ["manufacturer"]
        assert sorted((await roles.hospital.get(f"/catalog/companies/{other}")).json()["roles"]) == \
            ["distributor", "manufacturer"]
        assert_problem(await roles.hospital.get(f"/catalog/companies/{bad_twin}"), 404)

        only_bad = await roles.insurer.post("/catalog/companies", json={"rows": [
            {"credit_code": wrong, "name": "x", "roles": ["manufacturer"]}]})
        assert "body.rows.0.credit_code" in error_fields(assert_problem(only_bad, 422))
        assert (await roles.hospital.get(f"/catalog/companies/{good}")).json()["name"] == "重庆某医药有限公司"

    @pytest.mark.parametrize("role", ["hospital", "company"])
    async def test_only_the_exchange_or_insurer_register(self, roles, role):
        code = new_uscc()
        client = roles.hospital if role == "hospital" else await roles.company(code)
        assert_problem(await client.post("/catalog/companies", json={"rows": [
            {"credit_code": code, "name": "自己注册", "roles": ["manufacturer"]}]}), 403)
        assert_problem(await roles.hospital.get(f"/catalog/companies/{code}"), 404)


# --- CAT-10 calendar -------------------------------------------------------------------------


class TestWorkingDayCalendar:
    """CAT-10: seeded from chinese-calendar; ops load other years; a year nobody loaded is
    an error naming it, never a weekend-only guess."""

    async def test_a_seeded_year(self, roles):
        response = await roles.hospital.get("/catalog/calendar/2025")
        assert response.status_code == 200, response.text
        year = response.json()
        assert year["source"] == "chinese-calendar"
        assert "2025-10-01" in year["holidays"] and "2025-09-28" in year["makeup_workdays"]

    async def test_counting_working_days(self, roles):
        company = await roles.company(new_uscc())
        response = await company.get("/catalog/calendar/working-days", params={"start": "2025-09-26", "days": 20})
        assert response.status_code == 200, response.text
        assert response.json()["due_on"] == "2025-10-30"
        explain = response.json()["explain"]
        assert explain["rule"] == "CAT-10" and explain["counted_makeup_workdays"] == ["2025-09-28", "2025-10-11"]
        assert explain["calendar_years"] == [{"year": 2025, "source": "chinese-calendar"}]

    async def test_a_year_nobody_loaded_until_ops_load_it(self, roles):
        """CAT-10 with CAT-6: 2027 is beyond chinese-calendar; a deadline that reaches it is
        refused naming 2027 until the insurer loads 2027's schedule."""
        body = assert_problem(await roles.hospital.get("/catalog/calendar/2027"), 404)
        assert "2027" in body["detail"]
        code = await seed_002_batch(roles, starts_on="2025-06-20", ends_on="2027-06-19")
        item = await listed_product(roles, code, listing(drug_no()))
        refused = assert_problem(await roles.exchange.post(
            f"/catalog/products/{item['id']}/lower-prices", json=lower_price(effective_on="2026-12-20")), 422)
        assert "2027" in refused["detail"] and refused["year"] == 2027
        assert any("2027" in e["reason"] for e in refused["errors"])
        body = assert_problem(await roles.hospital.get("/catalog/calendar/working-days",
                                                       params={"start": "2026-12-20", "days": 20}), 422)
        assert body["year"] == 2027

        schedule = {"holidays": ["2027-01-01"], "makeup_workdays": ["2027-01-09"], "document": "国办发明电〔2026〕7号"}
        assert_problem(await roles.exchange.put("/catalog/calendar/2027", json=schedule), 403)
        assert_problem(await roles.hospital.get("/catalog/calendar/2027"), 404)
        loaded = await roles.insurer.put("/catalog/calendar/2027", json=schedule)
        assert loaded.status_code == 200, loaded.text
        year = (await roles.hospital.get("/catalog/calendar/2027")).json()
        assert (year["source"], year["holidays"], year["makeup_workdays"]) == ("ops", ["2027-01-01"], ["2027-01-09"])

        recorded = await roles.exchange.post(f"/catalog/products/{item['id']}/lower-prices",
                                             json=lower_price(effective_on="2026-12-20"))
        assert recorded.status_code == 201, recorded.text
        # 9 working days left in 2026, then 1 Jan off, 4–8 Jan, Saturday 9 Jan worked, 11–15 Jan
        assert recorded.json()["deadline_on"] == "2027-01-15"
        assert {"year": 2027, "source": "ops"} in recorded.json()["explain"]["deadline"]["calendar_years"]

    async def test_a_make_up_day_on_a_weekday_is_refused(self, roles):
        body = assert_problem(await roles.insurer.put("/catalog/calendar/2099", json={
            "holidays": ["2099-01-01"], "makeup_workdays": ["2099-01-05"], "document": "x"}), 422)
        assert "2099-01-05" in body["detail"]
        assert_problem(await roles.hospital.get("/catalog/calendar/2099"), 404)

    @pytest.mark.parametrize("schedule", [
        {"holidays": ["2098-01-01"], "makeup_workdays": [], "document": "x", "extra": 1},
        {"holidays": ["2097-01-01"], "makeup_workdays": [], "document": "x"},
        {"holidays": "2098-01-01", "makeup_workdays": [], "document": "x"},
    ], ids=["extra-field", "another-year", "wrong-type"])
    async def test_other_bad_schedules_are_refused(self, roles, schedule):
        assert_problem(await roles.insurer.put("/catalog/calendar/2098", json=schedule), 422)
        assert_problem(await roles.hospital.get("/catalog/calendar/2098"), 404)


# --- refused writes leave stored data untouched ------------------------------------------------


class TestRefusedWritesChangeNothing:
    """Issue 3/§5: bad input of every kind — malformed JSON, an extra field, a wrong type, a
    foreign role — is a 4xx problem+json and what is stored reads the same afterwards."""

    async def test_a_product(self, roles, catalog_db):
        code = await seed_002_batch(roles)
        credit_code = new_uscc()
        number = drug_no()
        item = await listed_product(roles, code, listing(number, applicant_credit_code=credit_code))
        before = await product(roles.exchange, item["id"])
        events_before = await outbox_events(catalog_db, key=str(item["id"]))
        company = await roles.company(credit_code)
        stranger = await roles.company(new_uscc())
        json_headers = {"content-type": "application/json"}
        attempts = [
            (roles.exchange.post(f"/catalog/batches/{code}/products", content=b'{"rows": [', headers=json_headers), 400),
            (roles.exchange.post(f"/catalog/batches/{code}/products",
                                 json={"rows": [listing(number, product_price="1.00")], "extra": 1}), 422),
            (roles.exchange.post(f"/catalog/batches/{code}/products", json={"rows": "all of them"}), 422),
            (roles.exchange.post(f"/catalog/products/{item['id']}/lower-prices",
                                 json=lower_price() | {"extra": 1}), 422),
            (roles.exchange.post(f"/catalog/products/{item['id']}/lower-prices",
                                 json=lower_price() | {"price": 700.0}), 422),
            (roles.exchange.post(f"/catalog/products/{item['id']}/lower-prices",
                                 json=lower_price() | {"effective_on": "next week"}), 422),
            (roles.exchange.post(f"/catalog/products/{item['id']}/lower-prices", content=b"{", headers=json_headers),
             400),
            (company.post(f"/catalog/products/{item['id']}/price-reductions",
                          json={"winning_price": "7e2", "effective_on": "2025-10-15"}), 422),
            (company.post(f"/catalog/products/{item['id']}/price-reductions",
                          json={"winning_price": "700.001", "effective_on": "2025-10-15"}), 422),
            (stranger.post(f"/catalog/products/{item['id']}/price-reductions",
                           json={"winning_price": "700.00", "effective_on": "2025-10-15"}), 404),
            (roles.hospital.post(f"/catalog/products/{item['id']}/status",
                                 json={"status": "delisted", "reason": "x"}), 403),
            (roles.hospital.post(f"/catalog/batches/{code}/products",
                                 json={"rows": [listing(number, product_price="1.00")]}), 403),
            (company.post(f"/catalog/products/{item['id']}/lower-prices", json=lower_price()), 403),
            (roles.exchange.post(f"/catalog/products/{item['id']}/status",
                                 json={"status": "retired", "reason": "x"}), 422),
        ]
        for call, status in attempts:
            assert_problem(await call, status)
        assert await product(roles.exchange, item["id"]) == before
        assert await outbox_events(catalog_db, key=str(item["id"])) == events_before

    async def test_a_batch(self, roles, catalog_db):
        code = new_code("BAD")
        before = await create_batch(roles, code)
        json_headers = {"content-type": "application/json"}
        attempts = [
            (roles.insurer.post(f"/catalog/batches/{code}/extension", content=b"{ends_on:", headers=json_headers), 400),
            (roles.insurer.post(f"/catalog/batches/{code}/extension",
                                json={"ends_on": "2028-01-01", "document_no": "X", "extra": True}), 422),
            (roles.insurer.post(f"/catalog/batches/{code}/extension", json={"ends_on": 20280101, "document_no": "X"}),
             422),
            (roles.insurer.post(f"/catalog/batches/{code}/early-end",
                                json={"ended_on": "2026-01-01", "cause": "tired", "document_no": "X"}), 422),
            (roles.insurer.post(f"/catalog/batches/{code}/early-end",
                                json={"ended_on": "2030-01-01", "cause": "national_vbp", "document_no": "X"}), 422),
            (roles.hospital.post(f"/catalog/batches/{code}/extension", json={"ends_on": "2028-01-01", "document_no": "X"}),
             403),
            (roles.insurer.post("/catalog/batches", json=batch_body(code, name="重名")), 409),
        ]
        for call, status in attempts:
            assert_problem(await call, status)
        assert (await roles.exchange.get(f"/catalog/batches/{code}")).json() == before
        assert len(await outbox_events(catalog_db, key=code)) == 1
