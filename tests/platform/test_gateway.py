"""The gateway end to end (DESIGN §3 GW-1, GW-2, GW-3, GW-5, GW-6 and §5): API keys,
authentication, role permissions, identity headers, request ids, health and the merged
documents — against the shared platform (four service processes, real PostgreSQL, a
real broker)."""

from __future__ import annotations

import hashlib
import re
import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from vbpkit.runtime.topology import SERVICES
from vbpkit.web import identity
from vbptools.embedded import server_url_to_async
from vbpkit.web.identity import Principal, Role
from testsupport import shared_database
from testsupport.catalog_setup import assert_problem

KEY_FORMAT = re.compile(r"^vbp_(?P<key_id>[0-9a-f]+)_(?P<secret>[A-Za-z0-9_-]{32,})$")
GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")


def institution(code: str) -> dict:
    return {"code": code, "name": f"医院 {code}", "level": 3, "kind": "public", "region_code": "500103"}


async def all_keys(admin, **params) -> list[dict]:
    """Every key, following the pages."""
    found, cursor = [], None
    while True:
        page = (await admin.get("/admin/api-keys", params={**params, "limit": 500,
                                                            **({"cursor": cursor} if cursor else {})})).json()
        found += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return found


def _before(key_id: str) -> str:
    """The greatest id below ``key_id`` of its length: the cursor whose next page starts with it."""
    value = int(key_id, 16)
    return format(value - 1, f"0{len(key_id)}x") if value else ""


def forged_admin_headers(key: bytes = b"not-the-platform-key", method: str = "POST", path: str = "/institutions",
                         body: bytes = b"") -> dict:
    admin = Principal(role=Role.ADMIN, tenant=None, key_id="forged")
    return identity.sign(admin, key=key, method=method, service="catalog", path=path, body=body)


@pytest.fixture
def anonymous(shared_platform):
    return httpx.AsyncClient(base_url=shared_platform.url, timeout=30)


class TestAdminIssuesListsAndRevokesKeys:
    """GW-2: API keys are issued, listed and revoked by an admin; the key is shown once."""

    async def test_an_issued_key_is_shown_once_in_its_documented_format(self, shared_platform):
        response = await shared_platform.admin.post(
            "/admin/api-keys", json={"role": "exchange", "tenant": "CQ-EXCHANGE", "label": "GW-2 issue"}
        )
        assert response.status_code == 201, response.text
        body = response.json()
        match = KEY_FORMAT.match(body["api_key"])
        assert match, body["api_key"]
        assert match["key_id"] == body["key_id"]
        assert body["role"] == "exchange" and body["tenant"] == "CQ-EXCHANGE"
        assert body["revoked_at"] is None

        listed = await shared_platform.admin.get("/admin/api-keys", params={"role": "exchange",
                                                                             "cursor": _before(body["key_id"])})
        assert listed.status_code == 200, listed.text
        entry = listed.json()["items"][0]
        assert entry["key_id"] == body["key_id"] and "api_key" not in entry
        assert not any("sha256" in field or "secret" in field or "hash" in field for field in entry)
        assert match["secret"] not in listed.text

    async def test_an_issued_key_works_at_once(self, shared_platform):
        key = await shared_platform.issue_key("insurer", "500000")
        async with shared_platform.client(key) as insurer:
            assert (await insurer.get("/catalog/institutions")).status_code == 200

    async def test_a_revoked_key_is_refused_immediately(self, shared_platform):
        key = await shared_platform.issue_key("exchange", "CQ-EXCHANGE")
        key_id = KEY_FORMAT.match(key)["key_id"]
        async with shared_platform.client(key) as exchange:
            # used once first, so the gateway has it in its key cache when it is revoked
            assert (await exchange.get("/catalog/institutions")).status_code == 200
            revoked = await shared_platform.admin.delete(f"/admin/api-keys/{key_id}")
            assert revoked.status_code == 200, revoked.text
            assert revoked.json()["revoked_at"] is not None
            assert_problem(await exchange.get("/catalog/institutions"), 401)

        active = await all_keys(shared_platform.admin)
        assert key_id not in {k["key_id"] for k in active}
        everything = await all_keys(shared_platform.admin, include_revoked="true")
        assert next(k for k in everything if k["key_id"] == key_id)["revoked_at"] is not None

    async def test_the_list_is_paginated_and_me_says_who_i_am(self, shared_platform):
        tenant = f"H-PAGE-{uuid.uuid4().hex[:6]}"
        issued = {KEY_FORMAT.match(await shared_platform.issue_key("hospital", tenant))["key_id"] for _ in range(3)}
        first = (await shared_platform.admin.get("/admin/api-keys", params={"tenant": tenant, "limit": 2})).json()
        assert len(first["items"]) == 2 and first["next_cursor"] == first["items"][-1]["key_id"]
        rest = (await shared_platform.admin.get("/admin/api-keys", params={
            "tenant": tenant, "limit": 2, "cursor": first["next_cursor"]})).json()
        assert {k["key_id"] for k in first["items"] + rest["items"]} == issued and rest["next_cursor"] is None
        key = await shared_platform.issue_key("hospital", tenant)
        async with shared_platform.client(key) as hospital:
            me = (await hospital.get("/me")).json()
        assert (me["role"], me["tenant"], me["key_id"]) == ("hospital", tenant, KEY_FORMAT.match(key)["key_id"])
        assert me["rate_limit"]["remaining"] >= 0 and me["rate_limit"]["limit"]

    async def test_revoking_an_unknown_key_is_404(self, shared_platform):
        body = assert_problem(await shared_platform.admin.delete("/admin/api-keys/0000000000000000"), 404)
        assert "0000000000000000" in body["detail"]


class TestOnlyAdminsManageKeys:
    """GW-2/GW-5: /admin/api-keys is for admins only."""

    @pytest.mark.parametrize("role, tenant", [("exchange", "CQ-EXCHANGE"), ("hospital", "H-GW2"), ("insurer", "500000")])
    async def test_a_non_admin_key_gets_403(self, shared_platform, role, tenant):
        async with shared_platform.client(await shared_platform.issue_key(role, tenant)) as client:
            assert_problem(await client.get("/admin/api-keys"), 403)
            assert_problem(await client.post("/admin/api-keys", json={"role": "admin", "label": "escalate"}), 403)
            assert_problem(await client.delete("/admin/api-keys/whatever"), 403)

    async def test_without_a_key_admin_routes_are_401(self, anonymous):
        async with anonymous:
            assert_problem(await anonymous.get("/admin/api-keys"), 401)


class TestHospitalAndCompanyKeysNeedATenant:
    """GW-2/GW-5: a hospital key is scoped to an institution code, a company key to a credit code."""

    @pytest.mark.parametrize("role", ["hospital", "company"])
    @pytest.mark.parametrize("tenant", [None, "", "   "])
    async def test_without_a_tenant_the_key_is_refused(self, shared_platform, role, tenant):
        response = await shared_platform.admin.post(
            "/admin/api-keys", json={"role": role, "tenant": tenant, "label": "no tenant"}
        )
        body = assert_problem(response, 422)
        assert "tenant" in body["detail"]
        assert body["errors"]

    async def test_an_insurer_key_without_a_tenant_is_issued(self, shared_platform):
        response = await shared_platform.admin.post("/admin/api-keys", json={"role": "insurer", "label": "bureau"})
        assert response.status_code == 201, response.text


class TestKeySecretsAreStoredHashed:
    """GW-2: only a hash of the secret is stored — the gateway database never holds it."""

    async def test_the_database_holds_no_secret(self, shared_platform, pg_server):
        key = await shared_platform.issue_key("company", "915000000000000005")
        match = KEY_FORMAT.match(key)
        engine = create_async_engine(server_url_to_async(pg_server, shared_database("gateway")))
        try:
            async with engine.connect() as connection:
                row = (await connection.execute(
                    text("SELECT * FROM api_keys WHERE key_id = :id"), {"id": match["key_id"]}
                )).mappings().one()
                dump = "\n".join((await connection.execute(text("SELECT api_keys::text FROM api_keys"))).scalars())
        finally:
            await engine.dispose()
        for column, value in row.items():
            assert value != match["secret"], column
            assert match["secret"] not in str(value), column
        assert match["secret"] not in dump and key not in dump
        assert hashlib.sha256(match["secret"].encode()).hexdigest() in row.values()


class TestClientIdentityHeadersAreIgnored:
    """GW-3: the gateway drops identity headers a client sends; services refuse unsigned calls."""

    async def test_a_hospital_forging_an_admin_principal_is_still_a_hospital(self, shared_platform):
        async with shared_platform.client(await shared_platform.issue_key("hospital", "H-GW3")) as hospital:
            # even one signed with the platform's real identity key does not count
            real_key = shared_platform.platform.settings.identity_key.encode()
            for key in (b"not-the-platform-key", real_key):
                response = await hospital.post(
                    "/catalog/institutions", json={"rows": [institution(f"H{uuid.uuid4().hex[:8]}")]},
                    headers=forged_admin_headers(key),
                )
                body = assert_problem(response, 403)
                assert "hospital" in body["detail"]

    async def test_identity_headers_without_a_key_do_not_authenticate(self, shared_platform, anonymous):
        real_key = shared_platform.platform.settings.identity_key.encode()
        async with anonymous:
            response = await anonymous.get(
                "/catalog/institutions", headers=forged_admin_headers(real_key, "GET", "/institutions")
            )
            assert_problem(response, 401)

    async def test_calling_a_service_around_the_gateway_is_401(self, shared_platform):
        catalog = f"http://127.0.0.1:{shared_platform.platform.settings.first_service_port}"
        async with httpx.AsyncClient(base_url=catalog, timeout=30) as direct:
            assert_problem(await direct.get("/institutions"), 401)
            forged = await direct.get("/institutions", headers=forged_admin_headers(method="GET"))
            assert_problem(forged, 401)
            posted = await direct.post(
                "/institutions", json={"rows": [institution("HDIRECT")]}, headers=forged_admin_headers()
            )
            assert_problem(posted, 401)


class TestAuthentication:
    """GW-1/GW-2: every routed request needs a known, unrevoked key."""

    async def test_no_key_is_401(self, anonymous):
        async with anonymous:
            body = assert_problem(await anonymous.get("/catalog/institutions"), 401)
            assert "API key" in body["detail"]

    @pytest.mark.parametrize("key", ["vbp_0123456789abcdef_" + "s" * 43, "not-a-vbp-key", "vbp_", "vbp_x_"])
    async def test_an_unknown_key_is_401(self, shared_platform, key):
        async with shared_platform.client(key) as stranger:
            assert_problem(await stranger.get("/catalog/institutions"), 401)

    async def test_a_known_id_with_a_wrong_secret_is_401(self, shared_platform):
        key = await shared_platform.issue_key("exchange", "CQ-EXCHANGE")
        key_id = KEY_FORMAT.match(key)["key_id"]
        async with shared_platform.client(f"vbp_{key_id}_{'w' * 43}") as guesser:
            assert_problem(await guesser.get("/catalog/institutions"), 401)

    async def test_a_bearer_key_works_like_x_api_key(self, shared_platform):
        key = await shared_platform.issue_key("exchange", "CQ-EXCHANGE")
        async with httpx.AsyncClient(base_url=shared_platform.url, headers={"Authorization": f"Bearer {key}"}) as c:
            assert (await c.get("/catalog/institutions")).status_code == 200


class TestRolePermissionsPerRoute:
    """GW-5: role permissions are checked per route before anything is forwarded."""

    async def test_a_hospital_may_not_register_institutions(self, shared_platform):
        code = f"H{uuid.uuid4().hex[:8]}"
        async with shared_platform.client(await shared_platform.issue_key("hospital", "H-GW5")) as hospital:
            body = assert_problem(await hospital.post("/catalog/institutions", json={"rows": [institution(code)]}), 403)
            assert "hospital" in body["detail"]
            assert (await hospital.get(f"/catalog/institutions/{code}")).status_code == 404

    async def test_the_exchange_may_register_institutions(self, shared_platform):
        code = f"H{uuid.uuid4().hex[:8]}"
        async with shared_platform.client(await shared_platform.issue_key("exchange", "CQ-EXCHANGE")) as exchange:
            response = await exchange.post("/catalog/institutions", json={"rows": [institution(code)]})
            assert response.status_code == 200, response.text
            assert response.json()["created"] == 1
            read = await exchange.get(f"/catalog/institutions/{code}")
            assert read.status_code == 200 and read.json()["code"] == code

    @pytest.mark.parametrize("role, tenant", [
        ("hospital", "H-READ"), ("exchange", "CQ-EXCHANGE"), ("company", "915000000000000018"),
        ("insurer", "500000"), ("admin", None),
    ])
    async def test_every_role_may_read(self, shared_platform, role, tenant):
        async with shared_platform.client(await shared_platform.issue_key(role, tenant)) as client:
            response = await client.get("/catalog/institutions", params={"limit": 1})
            assert response.status_code == 200, response.text
            assert "items" in response.json()

    async def test_a_read_a_service_keeps_to_some_roles_is_refused_by_the_gateway_itself(self, shared_platform):
        """The gateway's table is what each service publishes (x-roles), reads included: the monthly
        report (MON-8) is for the insurer and the exchange, so the gateway refuses a hospital."""
        async with shared_platform.client(await shared_platform.issue_key("hospital", "H-GW5")) as hospital:
            response = await hospital.get("/monitoring/reports/monthly", params={"month": "2025-01"})
        body = assert_problem(response, 403)
        assert body["detail"] == "role hospital may not GET /monitoring/reports/monthly"  # the gateway's words

    async def test_an_unknown_service_is_404(self, shared_platform):
        body = assert_problem(await shared_platform.admin.get("/nope/x"), 404)
        assert "nope" in body["detail"]


class TestRequestIds:
    """DESIGN §5 / request ids: a client's valid X-Request-ID comes back, otherwise one is made."""

    @pytest.mark.parametrize("path", ["/catalog/institutions", "/health", "/nope/x"])
    async def test_a_valid_request_id_comes_back_unchanged(self, shared_platform, path):
        given = f"client-{uuid.uuid4().hex[:12]}.retry:1"
        response = await shared_platform.admin.get(path, headers={"X-Request-ID": given})
        assert response.headers.get_list("x-request-id") == [given]

    async def test_without_one_a_fresh_id_is_generated(self, shared_platform):
        first = await shared_platform.admin.get("/catalog/institutions")
        second = await shared_platform.admin.get("/catalog/institutions")
        ids = [r.headers.get_list("x-request-id") for r in (first, second)]
        assert all(len(i) == 1 and GENERATED_ID.match(i[0]) for i in ids), ids
        assert ids[0] != ids[1]

    @pytest.mark.parametrize("given", ["has spaces in it", "x" * 300, "semi;colon", "ünïcode"])
    async def test_an_invalid_request_id_is_replaced(self, shared_platform, given):
        response = await shared_platform.admin.get(
            "/catalog/institutions", headers={"X-Request-ID": given.encode()}
        )
        returned = response.headers.get_list("x-request-id")
        assert len(returned) == 1 and GENERATED_ID.match(returned[0]), returned


class TestHealth:
    """GW-6: /health reports each service, its database and the broker — in full to an admin;
    to anyone else only whether the platform is ok (issue 23, item 8)."""

    async def test_without_a_key_or_with_another_roles_it_says_only_ok(self, anonymous, shared_platform):
        async with anonymous:
            response = await anonymous.get("/health")
            assert (response.status_code, response.json()) == (200, {"status": "ok"})
            issued = (await shared_platform.admin.post("/admin/api-keys", json={
                "role": "insurer", "tenant": "500000", "label": "health"})).json()["api_key"]
            insurer = await anonymous.get("/health", headers={"X-API-Key": issued})
            assert (insurer.status_code, insurer.json()) == (200, {"status": "ok"})
            wrong = await anonymous.get("/health", headers={"X-API-Key": "vbp_admin_nope_" + "x" * 24})
            assert wrong.status_code == 401

    async def test_health_reports_every_part_ok(self, shared_platform):
        response = await shared_platform.admin.get("/health")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "ok"
        assert body["gateway"]["database"]["ok"] is True
        assert body["broker"]["ok"] is True
        assert set(body["services"]) == set(SERVICES)
        for name in SERVICES:
            service = body["services"][name]
            assert service["status"] == "ok", (name, service)
            assert service["service"] == name
            assert service["database"]["ok"] is True, (name, service)
            assert service["broker"]["ok"] is True, (name, service)


def resolve_pointer(document: dict, ref: str):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def all_refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from all_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_refs(value)


class TestMergedDocuments:
    """DESIGN §5: the gateway merges every service's /openapi.json under its prefix; AsyncAPI for events."""

    @pytest.fixture
    async def openapi(self, anonymous) -> dict:
        async with anonymous:
            response = await anonymous.get("/openapi.json")
        assert response.status_code == 200, response.text
        return response.json()

    async def test_every_service_is_under_its_prefix(self, openapi):
        paths = openapi["paths"]
        for path in ["/catalog/institutions", "/catalog/institutions/{code}", "/contracts/institutions/{code}",
                     "/settlement/institutions/{code}", "/monitoring/institutions/{code}", "/admin/api-keys",
                     "/admin/api-keys/{key_id}", "/health"]:
            assert path in paths, sorted(paths)
        assert "post" in paths["/catalog/institutions"] and "get" in paths["/catalog/institutions"]

    async def test_no_service_health_is_duplicated(self, openapi):
        assert not [p for p in openapi["paths"] if p != "/health" and p.endswith("/health")]
        assert not [p for p in openapi["paths"] if p.endswith("/openapi.json")]

    async def test_every_ref_resolves(self, openapi):
        refs = set(all_refs(openapi))
        assert any(r.startswith("#/components/schemas/") for r in refs)
        for ref in refs:
            assert ref.startswith("#/components/schemas/"), ref
            assert isinstance(resolve_pointer(openapi, ref), dict), ref

    async def test_operation_ids_are_unique(self, openapi):
        ids = [op["operationId"] for item in openapi["paths"].values() for op in item.values()
               if isinstance(op, dict) and "operationId" in op]
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)

    async def test_the_api_key_scheme_is_declared_and_used(self, openapi):
        scheme = openapi["components"]["securitySchemes"]["ApiKey"]
        assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "X-API-Key"}
        operation = openapi["paths"]["/catalog/institutions"]["post"]
        assert {"ApiKey": []} in operation["security"]

    async def test_swagger_ui_is_served(self, anonymous):
        async with anonymous:
            response = await anonymous.get("/docs")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "swagger" in response.text.lower()
        assert "/openapi.json" in response.text

    async def test_asyncapi_lists_the_institution_registered_event(self, anonymous):
        async with anonymous:
            response = await anonymous.get("/asyncapi.json")
        assert response.status_code == 200, response.text
        document = response.json()
        assert document["asyncapi"].startswith("3.")
        names = {m["name"] for m in document["components"]["messages"].values()}
        assert "catalog.institution.registered" in names
        # issue 25: a failing winner's remedy, each on its producer's channel
        remedy = {"catalog": ("catalog.backup.designated", "catalog.backup.withdrawn", "catalog.lot.held",
                              "catalog.lot.released"),
                  "contracts": ("contracts.volume.transferred",),
                  "monitoring": ("monitoring.shortage.reported", "monitoring.shortage.escalated",
                                 "monitoring.shortage.resolved", "monitoring.supply_report.filed",
                                 "monitoring.supply_report.decided", "monitoring.breach_cost.recorded")}
        # issue 26: the access the seeds guarantee
        remedy["catalog"] += ("catalog.distributor.regions_declared", "catalog.calendar.year_loaded")
        remedy["contracts"] += ("contracts.account.requested", "contracts.account.opened",
                                "contracts.agreement.generated", "contracts.agreement.signed")
        remedy["monitoring"] += ("monitoring.obstruction.reported", "monitoring.obstruction.found")
        for producer, types in remedy.items():
            published = document["channels"][producer]["messages"]
            assert all(any(name.startswith(f"{t}.v") for name in published) for t in types), (producer, types)
        catalog_messages = document["channels"]["catalog"]["messages"]
        assert any("catalog.institution.registered" in name for name in catalog_messages)
        for ref in all_refs(document):
            resolve_pointer(document, ref)
