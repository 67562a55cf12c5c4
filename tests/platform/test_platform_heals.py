"""Issue 11, item 7: the launcher heals the platform. ``kill -9`` of a service or of the gateway
no longer stops everything: the supervisor starts the process again with backoff, ``/health``
shows its restart count, and what was written while it was down is not lost (its events wait
in the outbox and reach the restarted consumer). Runs on the scenario platform (its own
databases and broker), so no other test's platform loses a process."""

from __future__ import annotations

import asyncio
import signal
import uuid

import httpx
import pytest
from testsupport import eventually


@pytest.fixture
async def supervised(scenario_platform):
    stop = asyncio.Event()
    task = asyncio.create_task(scenario_platform.platform.supervise(stop, poll_seconds=0.1))
    yield scenario_platform
    stop.set()
    await task


async def restarted(handle, name: str, count: int) -> dict:
    async def check():
        try:
            body = (await handle.admin.get("/health")).json()
        except httpx.HTTPError as exc:  # the gateway itself may be the one down
            raise AssertionError(f"no answer yet: {exc!r}") from None
        seen = body["gateway"] if name == "gateway" else body["services"][name]
        assert seen.get("restarts") == count and body["status"] == "ok", body
        return body
    return await eventually(check, timeout=90, interval=0.3)


class TestThePlatformHeals:
    async def test_a_killed_service_comes_back_and_misses_nothing(self, supervised):
        platform = supervised.platform
        count = platform.restarts.get("monitoring", 0) + 1
        platform.processes["monitoring"].send_signal(signal.SIGKILL)
        code = f"HEAL{uuid.uuid4().hex[:8].upper()}"
        # written while monitoring is down: catalog keeps the event until monitoring consumes it
        registered = await supervised.admin.post("/catalog/institutions", json={"rows": [
            {"code": code, "name": "重启期间登记的医院", "level": 2, "kind": "public", "region_code": "500103"}]})
        assert registered.status_code == 200 and registered.json()["created"] == 1, registered.text
        await restarted(supervised, "monitoring", count)
        await supervised.settled()
        seen = await supervised.admin.get(f"/monitoring/institutions/{code}")
        assert seen.status_code == 200 and seen.json()["region_code"] == "500103", seen.text
        assert platform.processes["catalog"].poll() is None  # nothing else was stopped

    async def test_a_killed_gateway_comes_back(self, supervised):
        platform = supervised.platform
        count = platform.restarts.get("gateway", 0) + 1
        platform.processes["gateway"].send_signal(signal.SIGKILL)
        body = await restarted(supervised, "gateway", count)
        assert all(s["status"] == "ok" for s in body["services"].values())
