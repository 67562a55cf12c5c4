"""A platform on a frozen clock for the monitoring scenarios (issue 9, item 8): its own
databases and broker, so its events reach no other test's read models, and every service's
clock moved through the gateway (``PUT /<service>/clock``, admin, frozen clocks only)."""

from __future__ import annotations

import contextlib
import uuid

import pytest
from vbpkit.runtime.topology import SERVICES
from vbptools.embedded import EmbeddedBroker, free_port, free_port_block, wait_for_broker
from vbptools.launcher import Platform

STARTS_ON = "2026-05-20"


@contextlib.asynccontextmanager
async def isolated_platform(shared_platform, data, prefix: str, **settings):
    """A platform like the shared one on databases and a broker of its own, so its events reach
    no other test's read models; ``settings`` override the shared platform's (e.g. the clock)."""
    broker = EmbeddedBroker(log_path=data / "tansu.log")
    broker.start()
    try:
        await wait_for_broker(broker.bootstrap_servers)
        platform = Platform(shared_platform.platform.settings.model_copy(update={
            "data_dir": data / "platform", "database_prefix": f"{prefix}{uuid.uuid4().hex[:8]}_",
            "kafka_bootstrap_servers": broker.bootstrap_servers, "gateway_port": free_port(),
            "first_service_port": free_port_block(), **settings}))
        try:
            await platform.start()
            handle = type(shared_platform)(platform)
            yield handle
            await handle.admin.aclose()
        finally:
            platform.stop()
    finally:
        broker.stop()


@pytest.fixture(scope="session")
async def scenario_platform(shared_platform, tmp_path_factory):
    async with isolated_platform(shared_platform, tmp_path_factory.mktemp("scenarios"), "e2e_mon_",
                                 clock=f"frozen:{STARTS_ON}T10:00") as handle:
        yield handle


async def set_today(platform, day: str) -> None:
    """Every service's frozen clock to 10:00 Beijing time on ``day``."""
    for service in SERVICES:
        moved = await platform.admin.put(f"/{service}/clock", json={"now": f"{day}T10:00:00+08:00"})
        assert moved.status_code == 200 and moved.json()["today"] == day, moved.text
