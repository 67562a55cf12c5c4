"""GW-6: each part asked at the same time; ``ok`` only when every one of them is."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_gateway.health import repository
from vbp_gateway.runtime import GatewayRuntime
from vbpkit.messaging import broker


async def health(session: AsyncSession, runtime: GatewayRuntime) -> dict:
    async def service(name: str, base: str) -> tuple[str, dict]:
        try:
            response = await runtime.client.get(base + "/health", timeout=5)
            return name, response.json()
        except (httpx.HTTPError, ValueError) as exc:
            return name, {"status": "unreachable", "error": f"{type(exc).__name__}: {exc}"}

    async def database() -> dict:
        try:
            await repository.database_answers(session, timeout=2)
            return {"ok": True}
        except Exception as exc:
            return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}

    async def kafka() -> dict:
        try:
            await asyncio.wait_for(broker.ping(runtime.settings.kafka_bootstrap_servers), timeout=3)
            return {"ok": True}
        except Exception as exc:
            return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}

    results = await asyncio.gather(database(), kafka(), *(service(n, b) for n, b in runtime.upstreams.items()))
    services = dict(results[2:])
    healthy = results[0]["ok"] and results[1]["ok"] and all(s.get("status") == "ok" for s in services.values())
    return {
        "status": "ok" if healthy else "degraded",
        "gateway": {"database": results[0], "restarts": runtime.settings.restarts},
        "broker": results[1],
        "services": services,
    }
