"""Issue 11, item 9: the audit trail — every write through the gateway (to a service or to the
admin API), key issuance and revocation, and every failed authentication is an append-only
row with principal, key id, role, tenant, client address, method, path, status, request id,
time and the body's SHA-256; reads are not; an admin queries and exports it; nothing edits it
(the table refuses UPDATE); the retention removes what is older than its days."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError
from testsupport import IDENTITY_KEY
from vbp_gateway.audit.models import AuditEntry
from vbp_gateway.audit.service import apply_retention
from vbp_gateway.main import create_app
from vbp_gateway.settings import GatewaySettings
from vbpkit.db.engine import create_engine, create_sessionmaker
from vbptools.embedded import free_port

ADMIN_KEY = "vbp_admin_audit-tests-" + "a" * 24


@pytest.fixture
async def gateway(new_database, kafka):
    url = await new_database("gwaudit")
    settings = GatewaySettings(database_url=url, kafka_bootstrap_servers=kafka, identity_key=IDENTITY_KEY,
                               admin_api_key=ADMIN_KEY, catalog_url=f"http://127.0.0.1:{free_port()}")
    app = create_app(settings)
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("198.51.100.9", 5000)),
                                   base_url="http://gateway")
        await stack.enter_async_context(client)
        engine = create_engine(url, pool_size=2)
        stack.push_async_callback(engine.dispose)
        client.sessionmaker = create_sessionmaker(engine)
        yield client


async def entries(gateway, **query) -> list[dict]:
    response = await gateway.get("/admin/audit-log", params=query, headers={"X-API-Key": ADMIN_KEY})
    assert response.status_code == 200, response.text
    return response.json()["items"]


class TestAuditTrail:
    async def test_writes_keys_and_failed_authentications_are_recorded(self, gateway):
        issued = await gateway.post("/admin/api-keys", headers={"X-API-Key": ADMIN_KEY, "X-Request-ID": "req-issue"},
                                    json={"role": "exchange", "tenant": "CQ-EXCHANGE", "label": "audit"})
        key, key_id = issued.json()["api_key"], issued.json()["key_id"]
        body = b'{"rows": [{"code": "H1"}]}'
        await gateway.post("/catalog/institutions", content=body,
                           headers={"X-API-Key": key, "Content-Type": "application/json"})
        await gateway.get("/catalog/batches", headers={"X-API-Key": key})           # a read: not recorded
        await gateway.get("/catalog/batches", headers={"X-API-Key": "vbp_wrong_key"})
        await gateway.delete(f"/admin/api-keys/{key_id}", headers={"X-API-Key": ADMIN_KEY})

        rows = await entries(gateway)
        assert [(r["event"], r["method"], r["path"], r["status"]) for r in rows] == [
            ("key_issued", "POST", "/admin/api-keys", 201),
            ("write", "POST", "/catalog/institutions", 502),
            ("auth_failure", "GET", "/catalog/batches", 401),
            ("key_revoked", "DELETE", f"/admin/api-keys/{key_id}", 200)]
        write = rows[1]
        assert (write["role"], write["key_id"], write["tenant"], write["client_address"]) == (
            "exchange", key_id, "CQ-EXCHANGE", "198.51.100.9")
        assert write["body_sha256"] == hashlib.sha256(body).hexdigest()
        assert rows[0]["request_id"] == "req-issue" and rows[2]["key_id"] is None

        assert [r["event"] for r in await entries(gateway, event="auth_failure")] == ["auth_failure"]
        exported = await gateway.get("/admin/audit-log", params={"format": "csv"}, headers={"X-API-Key": ADMIN_KEY})
        table = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert [r["event"] for r in table] == ["key_issued", "write", "auth_failure", "key_revoked"]

    async def test_only_an_admin_reads_it_and_nothing_edits_it(self, gateway):
        issued = await gateway.post("/admin/api-keys", headers={"X-API-Key": ADMIN_KEY},
                                    json={"role": "insurer", "tenant": "500000", "label": "audit"})
        insurer = issued.json()["api_key"]
        assert (await gateway.get("/admin/audit-log", headers={"X-API-Key": insurer})).status_code == 403
        for method in ("PUT", "PATCH", "DELETE", "POST"):
            response = await gateway.request(method, "/admin/audit-log", headers={"X-API-Key": ADMIN_KEY})
            assert response.status_code in (404, 405), (method, response.status_code)
        async with gateway.sessionmaker.begin() as session:
            with pytest.raises(DBAPIError, match="append-only"):
                await session.execute(text("UPDATE audit_log SET status = 200"))

    async def test_the_retention_removes_only_what_is_older(self, gateway):
        old = datetime.now(timezone.utc) - timedelta(days=181)
        async with gateway.sessionmaker.begin() as session:
            await session.execute(insert(AuditEntry).values(
                at=old, event="write", client_address="x", method="POST", path="/old", query="", status=201,
                request_id="old", body_sha256="0" * 64))
        await gateway.post("/admin/api-keys", headers={"X-API-Key": ADMIN_KEY},
                           json={"role": "exchange", "tenant": "CQ-EXCHANGE", "label": "recent"})
        # the gateway's own housekeeping (it runs at start, then hourly) may have been first
        await apply_retention(gateway.sessionmaker, days=180)
        assert [r["path"] for r in await entries(gateway)] == ["/admin/api-keys"]
        assert await apply_retention(gateway.sessionmaker, days=180) == 0


class TestTheGatewaysOwnRoutesRefuseUnknownParameters:
    async def test_a_mistyped_filter_is_a_422_naming_it(self, gateway):
        """Issue 23, item 3: as on every service route, a query parameter the route does not take
        is refused, naming it, rather than answering the whole log unfiltered."""
        response = await gateway.get("/admin/audit-log", params={"keyid": "k1"},
                                     headers={"X-API-Key": ADMIN_KEY})
        assert response.status_code == 422, response.text
        [error] = response.json()["errors"]
        assert error["field"] == "query.keyid" and "key_id" in error["reason"]
