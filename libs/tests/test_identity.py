"""GW-3 signed principal between gateway and services; GW-5 role check inside a service."""

import base64
import json
import time

import httpx
import pytest
from sqlalchemy import func, select

from testsupport import ADMIN, EXCHANGE, IDENTITY_KEY, signed_headers
from vbp_catalog.institutions.models import Institution
from vbp_catalog.main import create_app
from vbp_catalog.settings import CatalogSettings
from vbpkit.web import identity
from vbpkit.web.identity import PRINCIPAL_HEADER, SIGNATURE_HEADER, InvalidSignature, Principal, Role
from vbpkit.db.tables import OutboxRow

KEY = IDENTITY_KEY.encode()
NOW = 1_750_000_000.0
HOSPITAL = Principal(role=Role.HOSPITAL, tenant="H500101001", key_id="test-hospital")


def row(code: str) -> dict:
    return {"code": code, "name": "重庆市人民医院", "level": 3, "kind": "public", "region_code": "500157"}


def signed(principal: Principal = EXCHANGE, *, method: str = "POST", path: str = "/institutions", now: float = NOW,
           service: str = "catalog", body: bytes = b"") -> dict:
    return identity.sign(principal, key=KEY, method=method, service=service, path=path, body=body, now=now)


def verify(headers: dict, *, method: str = "POST", path: str = "/institutions", key: bytes = KEY, now: float = NOW,
           service: str = "catalog", body: bytes = b""):
    return identity.verify(headers, key=key, method=method, service=service, path=path, body=body,
                           max_skew_seconds=300, now=now)


def encode(payload: dict) -> str:
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unsigned_client(app) -> httpx.AsyncClient:
    """Calls the service around the gateway: no signing transport."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service")


async def count(client, model) -> int:
    async with client.app.state.runtime.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model))


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["type"].endswith("/" + slug)
    return body


class TestAValidSignatureYieldsThePrincipal:
    """GW-3: what the gateway signs, the service reads back unchanged."""

    def test_the_signed_principal_is_returned(self):
        assert verify(signed(HOSPITAL)) == HOSPITAL

    def test_a_principal_without_tenant_round_trips(self):
        assert verify(signed(ADMIN)) == ADMIN

    def test_a_signature_within_the_allowed_skew_is_accepted(self):
        assert verify(signed(EXCHANGE, now=NOW - 299)) == EXCHANGE
        assert verify(signed(EXCHANGE, now=NOW + 299)) == EXCHANGE

    def test_the_method_is_compared_case_insensitively(self):
        assert verify(signed(EXCHANGE, method="post"), method="POST") == EXCHANGE


class TestATamperedOrMisdirectedSignatureIsRefused:
    """GW-3: a signed header is bound to its principal, key, method, path and time."""

    def test_a_principal_changed_after_signing_is_refused(self):
        headers = signed(HOSPITAL)
        # the hospital promotes itself to admin but keeps the gateway's signature
        headers[PRINCIPAL_HEADER] = encode({"role": "admin", "tenant": None, "key_id": "test-hospital"})
        with pytest.raises(InvalidSignature, match="not valid"):
            verify(headers)

    def test_another_tenant_under_the_same_signature_is_refused(self):
        headers = signed(HOSPITAL)
        headers[PRINCIPAL_HEADER] = encode({"role": "hospital", "tenant": "H999", "key_id": "test-hospital"})
        with pytest.raises(InvalidSignature, match="not valid"):
            verify(headers)

    def test_a_signature_made_with_another_key_is_refused(self):
        headers = identity.sign(EXCHANGE, key=b"not-the-gateway-key", method="POST", service="catalog",
                                path="/institutions", now=NOW)
        with pytest.raises(InvalidSignature, match="not valid"):
            verify(headers)

    def test_a_signature_for_another_path_is_refused(self):
        headers = signed(EXCHANGE, path="/institutions")
        with pytest.raises(InvalidSignature, match="not valid"):
            verify(headers, path="/institutions/H1")

    def test_gw3_a_signature_for_one_body_does_not_carry_another(self):
        headers = signed(EXCHANGE, body=b'{"rows": [{"code": "H1"}]}')
        assert verify(headers, body=b'{"rows": [{"code": "H1"}]}') == EXCHANGE
        with pytest.raises(InvalidSignature, match="not valid"):
            verify(headers, body=b'{"rows": [{"code": "H2"}]}')

    def test_gw3_a_signature_for_one_service_does_not_reach_another(self):
        headers = signed(EXCHANGE, method="GET", path="/health-of-nothing", service="catalog")
        with pytest.raises(InvalidSignature, match="not valid"):
            verify(headers, method="GET", path="/health-of-nothing", service="contracts")

    def test_gw3_a_v1_signature_without_body_and_service_is_refused(self):
        headers = signed(EXCHANGE)
        headers[SIGNATURE_HEADER] = headers[SIGNATURE_HEADER].replace("v2=", "v1=")
        with pytest.raises(InvalidSignature, match="malformed"):
            verify(headers)

    def test_a_signature_for_another_method_is_refused(self):
        headers = signed(EXCHANGE, method="GET")
        with pytest.raises(InvalidSignature, match="not valid"):
            verify(headers, method="POST")

    def test_an_expired_signature_is_refused(self):
        headers = signed(EXCHANGE, now=NOW - 301)
        with pytest.raises(InvalidSignature, match="expired"):
            verify(headers)

    def test_a_signature_from_too_far_in_the_future_is_refused(self):
        headers = signed(EXCHANGE, now=NOW + 301)
        with pytest.raises(InvalidSignature, match="expired"):
            verify(headers)

    def test_a_timestamp_changed_after_signing_is_refused(self):
        headers = signed(EXCHANGE, now=NOW - 200)
        mac = headers[SIGNATURE_HEADER].split("v2=", 1)[1]
        headers[SIGNATURE_HEADER] = f"t={int(NOW)},v2={mac}"
        with pytest.raises(InvalidSignature, match="not valid"):
            verify(headers)


class TestAMissingOrMalformedSignatureIsRefused:
    """GW-3: anything but a well-formed ``t=…,v2=…`` is an InvalidSignature, never a crash."""

    def test_no_identity_headers_are_refused(self):
        with pytest.raises(InvalidSignature, match="no signed principal"):
            verify({})

    def test_a_principal_without_a_signature_is_refused(self):
        headers = signed(EXCHANGE)
        del headers[SIGNATURE_HEADER]
        with pytest.raises(InvalidSignature, match="no signed principal"):
            verify(headers)

    @pytest.mark.parametrize(
        "signature",
        [
            "garbage",
            "t=1750000000",  # no v2
            "v2=abcdef",  # no t
            "t=yesterday,v2=abcdef",
            "t=1750000000,v2=abc,extra",  # a part without "="
        ],
    )
    def test_a_malformed_signature_header_is_refused(self, signature):
        headers = signed(EXCHANGE)
        headers[SIGNATURE_HEADER] = signature
        with pytest.raises(InvalidSignature, match="malformed"):
            verify(headers)

    def test_a_non_ascii_mac_is_refused(self):
        headers = signed(EXCHANGE)
        headers[SIGNATURE_HEADER] = f"t={int(NOW)},v2={'é' * 64}"
        with pytest.raises(InvalidSignature):
            verify(headers)


class TestAServiceRefusesCallsAroundTheGateway:
    """GW-3 through a running catalog: no valid signature, no access (401 problem+json)."""

    async def test_a_request_without_identity_headers_is_a_401(self, service_client):
        client = await service_client(create_app, CatalogSettings, consumers_enabled=False)
        async with unsigned_client(client.app) as bare:
            response = await bare.get("/institutions")
        body = assert_problem(response, 401, "unauthenticated")
        assert "gateway" in body["detail"]

    async def test_an_unsigned_post_stores_nothing(self, service_client):
        client = await service_client(create_app, CatalogSettings, consumers_enabled=False)
        async with unsigned_client(client.app) as bare:
            response = await bare.post("/institutions", json={"rows": [row("H1")]})
        assert_problem(response, 401, "unauthenticated")
        assert await count(client, Institution) == 0
        assert await count(client, OutboxRow) == 0

    async def test_a_signature_made_with_another_key_is_a_401(self, service_client):
        client = await service_client(create_app, CatalogSettings, consumers_enabled=False)
        headers = signed_headers(ADMIN, "GET", "/institutions", key="some-other-key-0123456789abcdef")
        async with unsigned_client(client.app) as bare:
            response = await bare.get("/institutions", headers=headers)
        assert_problem(response, 401, "unauthenticated")

    async def test_a_signature_for_another_route_is_a_401(self, service_client):
        client = await service_client(create_app, CatalogSettings, consumers_enabled=False)
        await client.post("/institutions", json={"rows": [row("H1")]})
        headers = signed_headers(ADMIN, "GET", "/institutions")
        async with unsigned_client(client.app) as bare:
            response = await bare.get("/institutions/H1", headers=headers)
        assert_problem(response, 401, "unauthenticated")

    async def test_an_expired_signature_is_a_401(self, service_client):
        client = await service_client(create_app, CatalogSettings, consumers_enabled=False)
        headers = identity.sign(ADMIN, key=KEY, method="GET", service="catalog", path="/institutions",
                                now=time.time() - 3600)
        async with unsigned_client(client.app) as bare:
            response = await bare.get("/institutions", headers=headers)
        body = assert_problem(response, 401, "unauthenticated")
        assert "expired" in body["detail"]

    async def test_a_non_ascii_signature_is_a_401_not_a_500(self, service_client):
        client = await service_client(create_app, CatalogSettings, consumers_enabled=False)
        headers = signed_headers(ADMIN, "GET", "/institutions")
        timestamp = headers[SIGNATURE_HEADER].split(",", 1)[0]
        headers[SIGNATURE_HEADER] = (timestamp + ",v2=" + "\u00e9" * 64).encode("latin-1")
        # as a real server would: the app's error answer is sent, not raised into the test
        transport = httpx.ASGITransport(app=client.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as bare:
            response = await bare.get("/institutions", headers=headers)
        assert_problem(response, 401, "unauthenticated")

    async def test_a_signed_request_is_served(self, service_client):
        client = await service_client(create_app, CatalogSettings, consumers_enabled=False)
        headers = signed_headers(ADMIN, "GET", "/institutions")
        async with unsigned_client(client.app) as bare:
            response = await bare.get("/institutions", headers=headers)
        assert response.status_code == 200
        assert response.json() == {"items": [], "next_cursor": None}

    async def test_health_is_open_without_a_signature(self, service_client):
        client = await service_client(create_app, CatalogSettings, consumers_enabled=False)
        async with unsigned_client(client.app) as bare:
            response = await bare.get("/health")
        assert response.status_code in (200, 503)
        assert response.json()["service"] == "catalog"


class TestAServiceChecksTheRoleItself:
    """GW-5 defence in depth: a validly signed principal of the wrong role is still refused."""

    async def test_a_hospital_may_not_register_institutions(self, service_client):
        client = await service_client(create_app, CatalogSettings, principal=HOSPITAL, consumers_enabled=False)
        response = await client.post("/institutions", json={"rows": [row("H1")]})
        body = assert_problem(response, 403, "forbidden")
        assert "hospital" in body["detail"]
        assert await count(client, Institution) == 0
        assert await count(client, OutboxRow) == 0

    async def test_an_exchange_may_register_institutions(self, service_client):
        client = await service_client(create_app, CatalogSettings, principal=EXCHANGE, consumers_enabled=False)
        response = await client.post("/institutions", json={"rows": [row("H1")]})
        assert response.status_code == 200, response.text
        assert await count(client, Institution) == 1

    async def test_a_hospital_may_still_read_the_registry(self, service_client):
        client = await service_client(create_app, CatalogSettings, consumers_enabled=False)
        await client.post("/institutions", json={"rows": [row("H1")]})
        response = await client.as_(HOSPITAL).get("/institutions/H1")
        assert response.status_code == 200
        assert response.json()["code"] == "H1"


class TestTheQueryStringIsSigned:
    """GW-3: a signed request's filters cannot be changed on the way to the service."""

    def test_a_signature_for_one_query_does_not_verify_another(self):
        headers = identity.sign(EXCHANGE, key=KEY, method="GET", service="catalog", path="/institutions",
                                query="region_code=500103")
        assert identity.verify(headers, key=KEY, method="GET", service="catalog", path="/institutions",
                               query="region_code=500103")
        with pytest.raises(InvalidSignature):
            identity.verify(headers, key=KEY, method="GET", service="catalog", path="/institutions",
                            query="region_code=532301")
