"""DESIGN §5 through the catalog: problem+json for every error, CAT-9 bulk rows, cursor lists."""

import asyncpg
import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import create_async_engine

from vbp_catalog.institutions.models import Institution
from vbp_catalog.main import create_app
from vbp_catalog.settings import CatalogSettings
from vbptools.embedded import free_port
from vbpkit.events.envelope import Envelope
from vbpkit.db.tables import OutboxRow
from vbpkit.web.problems import database_unreachable


def row(code: str, *, name: str = "重庆市人民医院", level: int = 3, region_code: str = "500157", **extra) -> dict:
    return {"code": code, "name": name, "level": level, "kind": "public", "region_code": region_code, **extra}


async def count(client, model) -> int:
    async with client.app.state.runtime.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def outbox_rows(client) -> list[OutboxRow]:
    async with client.app.state.runtime.sessionmaker() as session:
        return list(await session.scalars(select(OutboxRow).order_by(OutboxRow.id)))


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "https://vbp.example.org/problems/" + slug
    assert body["status"] == status
    assert body["title"]
    return body


async def catalog(service_client):
    return await service_client(create_app, CatalogSettings, consumers_enabled=False)


class TestEveryErrorIsProblemJson:
    """§5: RFC 9457 problem+json with a stable type and errors[] locating each bad field."""

    async def test_a_malformed_json_body_is_a_400(self, service_client):
        client = await catalog(service_client)
        response = await client.post(
            "/institutions", content=b'{"rows": [', headers={"content-type": "application/json"}
        )
        body = assert_problem(response, 400, "malformed-json")
        assert body["instance"] == "/catalog/institutions"  # the public path (GW-1), not the service's own
        assert await count(client, Institution) == 0

    async def test_a_body_without_rows_is_a_422_naming_the_field(self, service_client):
        client = await catalog(service_client)
        response = await client.post("/institutions", json={})
        body = assert_problem(response, 422, "validation-error")
        assert "body.rows" in [e["field"] for e in body["errors"]]
        assert all(e["reason"] for e in body["errors"])

    async def test_an_unknown_path_is_a_404(self, service_client):
        client = await catalog(service_client)
        response = await client.get("/no-such-thing")
        body = assert_problem(response, 404, "not-found")
        assert body["instance"] == "/catalog/no-such-thing"

    async def test_an_unknown_institution_is_a_404_naming_the_code(self, service_client):
        client = await catalog(service_client)
        response = await client.get("/institutions/H404")
        body = assert_problem(response, 404, "not-found")
        assert "H404" in body["detail"]

    async def test_a_wrong_method_is_a_405(self, service_client):
        client = await catalog(service_client)
        response = await client.delete("/institutions")
        assert_problem(response, 405, "method-not-allowed")
        # Starlette names only the first route on the path that matched (POST), not GET as well
        allowed = set(response.headers["allow"].replace(" ", "").split(","))
        assert "POST" in allowed and "DELETE" not in allowed


class TestBulkReportsBadRowsAndKeepsGoodOnes:
    """CAT-9 / §5: per-row errors with index and field; the valid rows are stored."""

    async def test_bad_rows_are_reported_and_good_rows_stored(self, service_client):
        client = await catalog(service_client)
        rows = [
            row("H1"),
            row("H2", region_code="50011"),  # row 2: not six digits
            row("H3", level=4),  # row 3: level 1/2/3 only
            row("H1", name="重复"),  # row 4: same code as row 1
            row("H4", beds=800),  # row 5: unknown field
            row("H5", level=1),
        ]
        response = await client.post("/institutions", json={"rows": rows})
        assert response.status_code == 207, response.text  # some refused, the others stored (issue 23)
        result = response.json()
        assert {(e["row"], e["field"]) for e in result["errors"]} == {
            (2, "region_code"), (3, "level"), (4, "code"), (5, "beds"),
        }
        assert all(e["reason"] and not e["reason"].startswith("Value error") for e in result["errors"])
        assert "row 1" in next(e["reason"] for e in result["errors"] if e["row"] == 4)
        assert (result["received"], result["created"], result["updated"], result["unchanged"]) == (6, 2, 0, 0)

        listed = (await client.get("/institutions")).json()["items"]
        assert [i["code"] for i in listed] == ["H1", "H5"]
        h1 = (await client.get("/institutions/H1")).json()
        assert h1["name"] == "重庆市人民医院"  # the first of the duplicates wins, not the later one
        assert (await client.get("/institutions/H5")).json()["level"] == 1
        assert (await client.get("/institutions/H2")).status_code == 404
        assert len(await outbox_rows(client)) == 2

    async def test_all_rows_bad_is_a_422_and_nothing_stored(self, service_client):
        client = await catalog(service_client)
        rows = [row("H1", level=4), row("H2", region_code="abc"), {"code": "H3"}]
        response = await client.post("/institutions", json={"rows": rows})
        body = assert_problem(response, 422, "validation-error")
        fields = {e["field"] for e in body["errors"]}
        assert {"body.rows.0.level", "body.rows.1.region_code", "body.rows.2.name"} <= fields
        assert await count(client, Institution) == 0
        assert await count(client, OutboxRow) == 0

    async def test_more_than_ten_thousand_rows_is_a_422(self, service_client):
        client = await catalog(service_client)
        rows = [row(f"H{i}") for i in range(10_001)]
        response = await client.post("/institutions", json={"rows": rows})
        body = assert_problem(response, 422, "validation-error")
        assert [e["field"] for e in body["errors"]] == ["body.rows"]
        assert await count(client, Institution) == 0


class TestResendingTheRegistryIsANoOp:
    """CAT-9 / §6: an unchanged row changes nothing and announces nothing; a change announces itself once."""

    async def test_the_same_rows_again_are_unchanged_and_emit_no_event(self, service_client):
        client = await catalog(service_client)
        rows = [row("H1"), row("H2", level=2), row("H3", region_code="500103")]
        first = await client.post("/institutions", json={"rows": rows})
        assert first.json()["created"] == 3
        events_before = await count(client, OutboxRow)
        assert events_before == 3

        again = (await client.post("/institutions", json={"rows": rows})).json()
        assert (again["created"], again["updated"], again["unchanged"], again["errors"]) == (0, 0, 3, [])
        assert await count(client, OutboxRow) == events_before

    async def test_a_changed_row_is_updated_and_announced_once(self, service_client):
        client = await catalog(service_client)
        rows = [row("H1"), row("H2", level=2)]
        await client.post("/institutions", json={"rows": rows})
        before = {r.id for r in await outbox_rows(client)}

        changed = row("H2", name="重庆市第二人民医院", level=3, region_code="500103")
        result = (await client.post("/institutions", json={"rows": [rows[0], changed]})).json()
        assert (result["created"], result["updated"], result["unchanged"]) == (0, 1, 1)

        new = [r for r in await outbox_rows(client) if r.id not in before]
        assert len(new) == 1
        assert (new[0].type, new[0].version, new[0].key, new[0].topic) == (
            "catalog.institution.registered", 1, "H2", "vbp.catalog",
        )
        envelope = Envelope.model_validate(new[0].envelope)
        assert envelope.data == changed
        assert envelope.producer == "catalog"
        stored = (await client.get("/institutions/H2")).json()
        assert {k: stored[k] for k in changed} == changed


class TestInstitutionsAreListedByCursor:
    """§5: lists are cursor-paginated, filterable and never unbounded."""

    async def test_seven_rows_by_three_are_three_pages_without_duplicates(self, service_client):
        client = await catalog(service_client)
        codes = [f"H{i}" for i in range(7)]
        await client.post("/institutions", json={"rows": [row(c) for c in reversed(codes)]})

        pages, cursor = [], None
        while True:
            params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
            page = (await client.get("/institutions", params=params)).json()
            pages.append([i["code"] for i in page["items"]])
            cursor = page["next_cursor"]
            if cursor is None:
                break
            assert len(pages) < 5, "the cursor never ends"
        assert pages == [codes[0:3], codes[3:6], codes[6:7]]

    async def test_a_last_page_that_is_exactly_full_has_no_next_cursor(self, service_client):
        client = await catalog(service_client)
        await client.post("/institutions", json={"rows": [row(f"H{i}") for i in range(6)]})
        first = (await client.get("/institutions", params={"limit": 3})).json()
        second = (await client.get("/institutions", params={"limit": 3, "cursor": first["next_cursor"]})).json()
        assert [i["code"] for i in second["items"]] == ["H3", "H4", "H5"]
        assert second["next_cursor"] is None

    async def test_filter_by_region_code_pages_only_that_region(self, service_client):
        client = await catalog(service_client)
        rows = [row(f"H{i}", region_code="500103" if i % 2 else "500157") for i in range(7)]
        await client.post("/institutions", json={"rows": rows})

        seen, cursor = [], None
        while True:
            params = {"limit": 2, "region_code": "500103"} | ({"cursor": cursor} if cursor else {})
            page = (await client.get("/institutions", params=params)).json()
            assert all(i["region_code"] == "500103" for i in page["items"])
            seen += [i["code"] for i in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == ["H1", "H3", "H5"]

    async def test_a_limit_above_the_maximum_is_refused(self, service_client):
        client = await catalog(service_client)
        response = await client.get("/institutions", params={"limit": 501})
        body = assert_problem(response, 422, "validation-error")
        assert [e["field"] for e in body["errors"]] == ["query.limit"]


class TestADatabaseThatWentAwayIsA503:
    """§5 and the chaos benchmark (issue 13): while PostgreSQL is down or restarting, a request
    is answered 503 problem+json with Retry-After — not a 500 with a traceback — so the gateway's
    callers send it again (a POST with its Idempotency-Key), and nothing half-done is kept."""

    async def test_reads_and_writes_answer_503_with_retry_after_and_store_nothing(self, service_client):
        client = await catalog(service_client)
        runtime = client.app.state.runtime
        working = runtime.sessionmaker.kw["bind"]
        # the same service, its database now unreachable (nothing listens on that port)
        gone = create_async_engine(working.url.set(host="127.0.0.1", port=free_port(), query={}), pool_pre_ping=True)
        runtime.sessionmaker.configure(bind=gone)
        try:
            read = await client.get("/institutions/H1")
            write = await client.post("/institutions", json={"rows": [row("H1")]}, headers={"Idempotency-Key": "k-1"})
            plain = await client.post("/institutions", json={"rows": [row("H2")]})
        finally:
            runtime.sessionmaker.configure(bind=working)
            await gone.dispose()
        for response in (read, write, plain):
            body = assert_problem(response, 503, "unavailable")
            assert response.headers["retry-after"] == "1"
            assert "send the request again" in body["detail"]
        assert await count(client, Institution) == 0
        again = await client.post("/institutions", json={"rows": [row("H1")]}, headers={"Idempotency-Key": "k-1"})
        assert again.status_code == 200 and again.json()["created"] == 1  # the key was never claimed


def driver_error(error: Exception) -> DBAPIError:
    """What SQLAlchemy raises for asyncpg's ``error`` while opening a connection: the adapter's
    error made ``from`` the driver's, wrapped in a DBAPIError (asyncpg.py, ``_handle_exception_no_connection``)."""
    from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi

    try:
        try:
            raise error
        except Exception as driver:
            raise AsyncAdapt_asyncpg_dbapi.Error(str(driver), driver) from driver
    except Exception as adapted:
        return DBAPIError.instance("SELECT 1", None, adapted, AsyncAdapt_asyncpg_dbapi.Error)


class TestWhatCountsAsTheDatabaseGone:
    """Found by the short chaos run in CI: a request that reached PostgreSQL during its crash
    recovery ("the database system is not yet accepting connections") must be a 503 like a
    refused connection, and so must the crowd of reconnecting pools (too many connections), a
    pool that found no connection in time, and a socket error that is not a ConnectionError."""

    @pytest.mark.parametrize("error", [
        asyncpg.exceptions.CannotConnectNowError("the database system is not yet accepting connections"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        OSError("Multiple exceptions: [Errno 111] Connect call failed, [Errno 99] Cannot assign requested address"),
        FileNotFoundError(2, "No such file or directory"),
    ])
    def test_a_driver_error_of_a_database_away_is_unreachable(self, error):
        assert database_unreachable(driver_error(error))

    def test_a_pool_that_found_no_connection_in_time_is_unreachable(self):
        assert database_unreachable(PoolTimeout("QueuePool limit of size 5 overflow 10 reached"))

    @pytest.mark.parametrize("error", [
        asyncpg.exceptions.UniqueViolationError("duplicate key value violates unique constraint"),
        asyncpg.exceptions.UndefinedColumnError("column x does not exist"),
        asyncpg.exceptions.DiskFullError("could not extend file"),
    ])
    def test_an_error_of_the_request_or_the_server_is_not(self, error):
        assert not database_unreachable(driver_error(error))
        assert not database_unreachable(ValueError("a bug of ours"))


class TestAnUnknownQueryParameterIsRefused:
    """Issue 23, item 3: a parameter the route does not take is a 422 naming it, never ignored."""

    async def test_a_parameter_no_route_declares_is_named_with_what_the_route_takes(self, service_client):
        client = await catalog(service_client)
        response = await client.get("/institutions", params={"hospital_code": "H500101004", "limit": 5})
        body = assert_problem(response, 422, "validation-error")
        [error] = body["errors"]
        assert error["field"] == "query.hospital_code"
        assert "cursor" in error["reason"] and "limit" in error["reason"]

    async def test_declared_parameters_still_work(self, service_client):
        client = await catalog(service_client)
        assert (await client.get("/institutions", params={"limit": 5})).status_code == 200

    async def test_a_route_without_parameters_says_so(self, service_client):
        client = await catalog(service_client)
        response = await client.get("/health", params={"verbose": "1"})
        body = assert_problem(response, 422, "validation-error")
        assert body["errors"][0]["reason"].endswith("it takes no query parameters")


def test_a_validators_words_reach_the_client_without_pydantics_prefix():
    """Issue 23: "Value error, unknown administrative division code" read as a library's words;
    every 422 the kit writes — a request's fields as a bulk call's rows — gives the sentence alone."""
    from fastapi.exceptions import RequestValidationError
    from pydantic import BaseModel, ValidationError, field_validator

    from vbpkit.web.problems import field_errors

    class Row(BaseModel):
        region_code: str

        @field_validator("region_code")
        @classmethod
        def _known(cls, value: str) -> str:
            raise ValueError("unknown administrative division code")

    try:
        Row(region_code="999999")
    except ValidationError as exc:
        _, errors = field_errors(RequestValidationError(exc.errors()))
    assert errors == [{"field": "region_code", "reason": "unknown administrative division code"}]
