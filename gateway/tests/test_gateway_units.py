"""The gateway in process (DESIGN §3 GW-1, GW-3 and §5): upstream failures, the headers it
forwards and the merged OpenAPI document (the role table, GW-5: test_gateway_roles.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from vbp_gateway.docs.merge import merge
from vbp_gateway.main import create_app
from vbp_gateway.settings import GatewaySettings
from vbpkit.web import identity
from vbptools.embedded import free_port
from vbpkit.web.identity import Principal, Role

ADMIN_KEY = "a" * 32
IDENTITY_KEY = "unit-identity-key-" + "k" * 16
PROBLEM = "application/problem+json"


class SilentUpstream:
    """Accepts connections and never answers (a hung service)."""

    def __init__(self):
        self.writers: list[asyncio.StreamWriter] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        with contextlib.suppress(Exception):
            await reader.read()  # until the gateway gives up and closes


class RecordingUpstream:
    """Answers every request with ``{}`` and remembers the request's header lines; its document
    (read by the role table, GW-5, and not remembered) lets every role read ``/payments``."""

    DOCUMENT = json.dumps({"paths": {"/payments": {"get": {
        "x-roles": [role.value for role in Role], "responses": {}}}}}).encode()

    def __init__(self):
        self.requests: list[tuple[str, list[tuple[str, str]]]] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:] if line]
        body = b"{}"
        if lines[0].startswith("GET /openapi.json "):
            body = self.DOCUMENT
        else:
            self.requests.append((lines[0], headers))
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
            b"x-request-id: from-upstream\r\nconnection: close\r\n\r\n%s" % (len(body), body)
        )
        await writer.drain()
        writer.close()


@pytest.fixture
async def gateway(new_database, kafka):
    """A gateway whose catalog is down (closed port), whose contracts hang, and whose
    settlement records what it receives."""
    silent, recording = SilentUpstream(), RecordingUpstream()
    servers = [await asyncio.start_server(u.handle, "127.0.0.1", 0) for u in (silent, recording)]
    ports = [s.sockets[0].getsockname()[1] for s in servers]
    settings = GatewaySettings(
        database_url=await new_database("gw"),
        kafka_bootstrap_servers=kafka,
        identity_key=IDENTITY_KEY,
        admin_api_key=ADMIN_KEY,
        catalog_url=f"http://127.0.0.1:{free_port()}",
        contracts_url=f"http://127.0.0.1:{ports[0]}",
        settlement_url=f"http://127.0.0.1:{ports[1]}",
        upstream_timeout_seconds=0.5,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway", headers={"X-API-Key": ADMIN_KEY}
        ) as client:
            client.recording = recording
            client.app = app
            yield client
    for writer in silent.writers:
        writer.close()
    for server in servers:
        server.close()


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    return body


class TestUpstreamFailures:
    """GW-1: upstream failure → 502, timeout → 504, both problem+json."""

    async def test_an_unreachable_service_is_502(self, gateway):
        body = assert_problem(await gateway.get("/catalog/institutions"), 502)
        assert body["type"].endswith("/bad-gateway")
        assert "catalog" in body["detail"]

    async def test_a_service_that_does_not_answer_in_time_is_504(self, gateway):
        loop = asyncio.get_running_loop()
        started = loop.time()
        body = assert_problem(await gateway.get("/contracts/institutions/x"), 504)
        assert body["type"].endswith("/gateway-timeout")
        assert "contracts" in body["detail"]
        assert loop.time() - started < 5  # the configured 0.5 s, not httpx's default

    async def test_health_reports_the_failing_services_as_degraded(self, gateway):
        response = await gateway.get("/health")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "degraded"
        assert body["services"]["catalog"]["status"] == "unreachable"
        assert body["gateway"]["database"]["ok"] is True


class TestTheGatewayDatabaseDown:
    """GW-6: /health asks the gateway's database through the request's unit of work; a database
    that does not answer is reported, not a 500."""

    async def test_health_reports_it_as_degraded(self, gateway):
        sessions = gateway.app.state.runtime.sessionmaker
        working = sessions.kw["bind"]
        gone = create_async_engine(working.url.set(host="127.0.0.1", port=free_port(), query={}))
        sessions.configure(bind=gone)
        try:
            response = await gateway.get("/health")
        finally:
            sessions.configure(bind=working)
            await gone.dispose()
        assert response.status_code == 503, response.text
        assert response.json()["gateway"]["database"]["ok"] is False


class TestTheKeyStoreUnreachable:
    """Found by bench/chaos.py (issue 13): with PostgreSQL down, a key the gateway had not
    cached was answered 500 with a traceback. It is a 503 with Retry-After, as the services
    answer, so a client sends the request again."""

    async def test_a_key_that_cannot_be_looked_up_is_a_503(self, gateway):
        issued = await gateway.post("/admin/api-keys", json={"role": "hospital", "tenant": "H1", "label": "t"})
        assert issued.status_code == 201, issued.text
        sessions = gateway.app.state.runtime.key_store.sessionmaker
        working = sessions.kw["bind"]
        gone = create_async_engine(working.url.set(host="127.0.0.1", port=free_port(), query={}))
        sessions.configure(bind=gone)
        try:
            response = await gateway.get("/settlement/invoices", headers={"X-API-Key": issued.json()["api_key"]})
        finally:
            sessions.configure(bind=working)
            await gone.dispose()
        body = assert_problem(response, 503)
        assert body["type"].endswith("/unavailable") and response.headers["retry-after"] == "1"


class TestForwardedIdentity:
    """GW-3: the client's identity headers are dropped; the principal is forwarded signed."""

    async def test_the_service_receives_only_the_gateway_signed_principal(self, gateway):
        issued = await gateway.post("/admin/api-keys", json={"role": "hospital", "tenant": "H-UNIT", "label": "unit"})
        assert issued.status_code == 201, issued.text
        hospital_key = issued.json()["api_key"]
        forged = identity.sign(
            Principal(role=Role.ADMIN, key_id="forged"), key=IDENTITY_KEY.encode(),
            method="GET", service="settlement", path="/payments", query="tenant=all",
        )
        response = await gateway.get(
            "/settlement/payments", params={"tenant": "all"},
            headers={"X-API-Key": hospital_key, "X-Request-ID": "unit-req-1", **forged},
        )
        assert response.status_code == 200, response.text
        assert response.headers.get_list("x-request-id") == ["unit-req-1"]

        (request_line, headers), = gateway.recording.requests
        assert request_line == "GET /payments?tenant=all HTTP/1.1"
        names = [name.lower() for name, _ in headers]
        assert names.count(identity.PRINCIPAL_HEADER) == 1 and names.count(identity.SIGNATURE_HEADER) == 1
        assert "x-api-key" not in names and "authorization" not in names
        assert dict((n.lower(), v) for n, v in headers)["x-request-id"] == "unit-req-1"
        principal = identity.verify(
            {n.lower(): v for n, v in headers}, key=IDENTITY_KEY.encode(), method="GET", service="settlement",
            path="/payments", query="tenant=all",
        )
        assert principal.role is Role.HOSPITAL and principal.tenant == "H-UNIT"
        with pytest.raises(identity.InvalidSignature):  # GW-3: made for settlement, not for another service
            identity.verify({n.lower(): v for n, v in headers}, key=IDENTITY_KEY.encode(), method="GET",
                            service="contracts", path="/payments", query="tenant=all")

    async def test_gw3_the_path_is_normalised_before_it_is_routed_and_signed(self, gateway):
        issued = await gateway.post("/admin/api-keys", json={"role": "hospital", "tenant": "H-UNIT", "label": "unit"})
        key = issued.json()["api_key"]
        response = await gateway.get("/settlement/x/./y/../../payments", headers={"X-API-Key": key})
        assert response.status_code == 200, response.text
        (request_line, headers), = gateway.recording.requests
        assert request_line == "GET /payments HTTP/1.1"
        assert identity.verify({n.lower(): v for n, v in headers}, key=IDENTITY_KEY.encode(), method="GET",
                               service="settlement", path="/payments").tenant == "H-UNIT"
        # one server header, the gateway's own, however many the service sent
        assert len(response.headers.get_list("server")) <= 1

    async def test_a_control_character_in_the_path_is_a_400_naming_it(self, gateway):
        issued = await gateway.post("/admin/api-keys", json={"role": "hospital", "tenant": "H-UNIT", "label": "unit"})
        response = await gateway.get("/settlement/payments%0D", headers={"X-API-Key": issued.json()["api_key"]})
        body = assert_problem(response, 400)
        assert body["errors"] == [{"field": "path", "reason": "control character U+000D"}]
        assert gateway.recording.requests == []


def schema(**properties) -> dict:
    return {"type": "object", "properties": properties}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def get_returning(name: str) -> dict:
    return {"get": {"operationId": f"read_{name.lower()}", "responses": {"200": {"content": {"application/json": {"schema": ref(name)}}}}}}


def returned(document: dict, path: str) -> str:
    return document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]


class TestMergeKeepsDifferingSchemasApart:
    """DESIGN §5: the merged document — a schema name two services define differently is renamed."""

    def services(self) -> dict:
        shared = schema(detail={"type": "string"})
        return {
            "catalog": {
                "paths": {"/things": get_returning("Thing"), "/health": get_returning("Shared")},
                "components": {"schemas": {"Thing": schema(a={"type": "string"}), "Shared": shared}},
            },
            "contracts": {
                "paths": {"/things": get_returning("Thing"), "/boxes": get_returning("Box")},
                "components": {"schemas": {
                    "Thing": schema(b={"type": "integer"}),
                    "Box": schema(inner=ref("Thing")),
                    "Shared": shared,
                }},
            },
            "settlement": None,
        }

    def test_the_second_definition_is_renamed_and_its_refs_follow(self):
        merged = merge({"openapi": "3.1.0", "paths": {}}, self.services())
        schemas = merged["components"]["schemas"]
        assert schemas["Thing"] == schema(a={"type": "string"})
        assert schemas["contracts.Thing"] == schema(b={"type": "integer"})
        assert returned(merged, "/catalog/things") == "#/components/schemas/Thing"
        assert returned(merged, "/contracts/things") == "#/components/schemas/contracts.Thing"
        assert schemas["Box"]["properties"]["inner"] == ref("contracts.Thing")

    def test_a_schema_referring_to_a_renamed_one_is_renamed_too(self):
        page = schema(items={"type": "array", "items": ref("Item")})
        services = {
            service: {
                "paths": {"/page": get_returning("Page")},
                "components": {"schemas": {"Item": schema(**{field: {"type": "string"}}), "Page": page}},
            }
            for service, field in (("catalog", "a"), ("contracts", "b"))
        }
        merged = merge({"openapi": "3.1.0", "paths": {}}, services)
        schemas = merged["components"]["schemas"]
        assert schemas["Page"]["properties"]["items"]["items"] == ref("Item")
        contracts_page = returned(merged, "/contracts/page").rsplit("/", 1)[1]
        assert schemas[contracts_page]["properties"]["items"]["items"] == ref("contracts.Item")

    def test_an_identical_schema_is_kept_once(self):
        merged = merge({"openapi": "3.1.0", "paths": {}}, self.services())
        assert "Shared" in merged["components"]["schemas"]
        assert "contracts.Shared" not in merged["components"]["schemas"]

    def test_paths_are_prefixed_and_service_health_is_left_out(self):
        merged = merge({"openapi": "3.1.0", "paths": {}}, self.services())
        assert set(merged["paths"]) == {"/catalog/things", "/contracts/things", "/contracts/boxes"}
        ids = {merged["paths"][p]["get"]["operationId"] for p in merged["paths"]}
        assert ids == {"catalog_read_thing", "contracts_read_thing", "contracts_read_box"}
        assert merged["paths"]["/contracts/things"]["get"]["tags"][0] == "contracts"
        assert merged["components"]["securitySchemes"]["ApiKey"]["name"] == "X-API-Key"

    def test_an_unavailable_service_is_marked_in_its_tag(self):
        merged = merge({"openapi": "3.1.0", "paths": {}}, self.services())
        tags = {t["name"]: t for t in merged["tags"]}
        assert "unavailable" in tags["settlement"]["description"]

    def test_the_gateway_document_is_not_modified(self):
        gateway_doc = {"openapi": "3.1.0", "paths": {"/health": {}}}
        merge(gateway_doc, self.services())
        assert gateway_doc == {"openapi": "3.1.0", "paths": {"/health": {}}}
