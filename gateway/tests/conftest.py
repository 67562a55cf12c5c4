"""The gateway's own fixtures: a gateway in process, on a new database of its own."""

from __future__ import annotations

import contextlib

import httpx
import pytest
from testsupport import IDENTITY_KEY
from vbp_gateway.main import create_app
from vbp_gateway.settings import GatewaySettings
from vbpkit.runtime.topology import SERVICES
from vbptools.embedded import free_port

from gateway_setup import ADMIN_KEY


@pytest.fixture
async def start_gateway(new_database, kafka):
    """Factory: a gateway in process (lifespan and all) whose services are at closed ports unless
    a ``<service>_url`` is given; answers through an httpx client that sends the admin key."""
    async with contextlib.AsyncExitStack() as stack:
        async def start(**settings) -> httpx.AsyncClient:
            closed = {f"{name}_url": f"http://127.0.0.1:{free_port()}" for name in SERVICES}
            app = create_app(GatewaySettings(**{
                "database_url": await new_database("gw"), "kafka_bootstrap_servers": kafka,
                "identity_key": IDENTITY_KEY, "admin_api_key": ADMIN_KEY, **closed, **settings}))
            await stack.enter_async_context(app.router.lifespan_context(app))
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway",
                                       headers={"X-API-Key": ADMIN_KEY})
            await stack.enter_async_context(client)
            client.app = app
            return client

        yield start
