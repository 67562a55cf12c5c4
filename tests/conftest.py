"""End-to-end fixtures: the whole platform as ``make run`` starts it — four service
processes and the gateway — on the test PostgreSQL server and a real broker."""

from __future__ import annotations

import json
import os
import uuid

import httpx
import pytest

from vbptools.embedded import free_port, free_port_block
from testsupport import SHARED_PREFIX, eventually
from vbptools.launcher import Platform, PlatformSettings

# the catalog end-to-end fixtures, shared by every tests/test_catalog_*.py file: registered here
# so that each session-scoped platform starts once, not once per file
from testsupport.catalog_setup import catalog_db, frozen, roles  # noqa: F401
from testsupport.scenario_setup import scenario_platform  # noqa: F401

ADMIN_KEY = "vbp_admin_e2e_" + "k" * 32

# GW-4 on the test platforms: the suite sends thousands of requests from one address and, on
# purpose, many wrong keys, so its gateways allow far more than production's defaults; the limits
# themselves are tested in gateway/tests/test_gateway_rate_limits.py (memory and Redis).
os.environ.setdefault("GATEWAY_AUTH_FAILURE_LIMIT", "1000000/minute")
os.environ.setdefault("GATEWAY_RATE_LIMITS", json.dumps(
    {role: "1000000/minute" for role in ("hospital", "company", "insurer", "exchange", "admin")}))


class RunningPlatform:
    def __init__(self, platform: Platform):
        self.platform = platform
        self.url = platform.gateway_url
        self.admin = httpx.AsyncClient(base_url=self.url, headers={"X-API-Key": ADMIN_KEY}, timeout=30)

    def client(self, api_key: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, headers={"X-API-Key": api_key}, timeout=30)

    async def issue_key(self, role: str, tenant: str | None = None) -> str:
        response = await self.admin.post("/admin/api-keys", json={"role": role, "tenant": tenant, "label": f"e2e {role}"})
        assert response.status_code == 201, response.text
        return response.json()["api_key"]

    async def eventually(self, check, timeout: float = 30.0):
        return await eventually(check, timeout, interval=0.2)

    async def settled(self, timeout: float = 60.0) -> dict:
        """Wait for what the platform reports: healthy, every relay's backlog 0 and every
        consumer's lag 0 — then every event written so far has reached every read model."""

        async def check():
            body = (await self.admin.get("/health")).json()
            assert body["status"] == "ok", body
            for name, service in body["services"].items():
                assert service["relay"]["backlog"] == 0, (name, service["relay"])
                if "consumer" in service:
                    assert service["consumer"]["lag"] == 0, (name, service["consumer"])
            return body

        return await eventually(check, timeout, interval=0.2)


def platform_settings(pg_server: str, bootstrap: str, data_dir, prefix: str) -> PlatformSettings:
    return PlatformSettings(
        data_dir=data_dir,
        database_url=pg_server,
        database_prefix=prefix,
        kafka_bootstrap_servers=bootstrap,
        gateway_port=free_port(),
        first_service_port=free_port_block(),
        identity_key="e2e-identity-key-" + "x" * 24,
        admin_api_key=ADMIN_KEY,
        log_level="WARNING",
    )


@pytest.fixture
def start_platform(pg_server, tmp_path):
    """Factory: start a platform (same databases again when given the same prefix)."""
    running: list[RunningPlatform] = []

    async def start(bootstrap: str, prefix: str | None = None) -> RunningPlatform:
        prefix = prefix or f"e2e_{uuid.uuid4().hex[:8]}_"
        platform = Platform(platform_settings(pg_server, bootstrap, tmp_path / "data", prefix))
        try:
            await platform.start()
        except BaseException:
            platform.stop()
            raise
        handle = RunningPlatform(platform)
        handle.prefix = prefix
        running.append(handle)
        return handle

    yield start
    for handle in running:
        handle.platform.stop()


@pytest.fixture(scope="session")
async def shared_platform(pg_server, kafka, tmp_path_factory):
    """One platform for the end-to-end tests that do not stop anything."""
    platform = Platform(platform_settings(pg_server, kafka, tmp_path_factory.mktemp("platform"), SHARED_PREFIX))
    try:
        await platform.start()
        handle = RunningPlatform(platform)
        yield handle
        await handle.admin.aclose()
    finally:
        platform.stop()
