"""DESIGN §7 gateway cost: the same GET direct to the service vs through the gateway.

Starts the whole platform (embedded PostgreSQL and Tansu in a temporary folder), then
for each path runs a fixed number of concurrent clients for ``--seconds`` against
catalog's ``GET /institutions/{code}``: directly (the request signed as the gateway
would sign it) and through the gateway (with an API key). Prints throughput, p50 and
p99 for both, the throughput ratio (goal ≥ 0.7) and the added p50 (goal ≤ 2 ms).

    .venv/bin/python bench/gateway_cost.py --seconds 10 --concurrency 16
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from vbpkit import identity
from vbpkit.embedded import free_port, free_port_block
from vbpkit.identity import Principal, Role
from vbpkit.launcher import Platform, PlatformSettings


async def load(client: httpx.AsyncClient, path: str, headers, seconds: float, concurrency: int) -> list[float]:
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def worker():
        while time.monotonic() < deadline:
            started = time.perf_counter()
            response = await client.get(path, headers=headers())
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return sorted(latencies)


def summary(name: str, latencies: list[float], seconds: float) -> tuple[float, float]:
    rate = len(latencies) / seconds
    p50 = statistics.median(latencies)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(f"{name:8s} {rate:8.0f} req/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
    return rate, p50


async def main(seconds: float, concurrency: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = PlatformSettings(data_dir=Path(folder), gateway_port=free_port(), kafka_port=free_port(),
                                    first_service_port=free_port_block(), log_level="WARNING")
        platform = Platform(settings)
        await platform.start()
        try:
            identity_key = platform.identity_key
            limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
            async with httpx.AsyncClient(base_url=platform.gateway_url, limits=limits,
                                         headers={"X-API-Key": platform.admin_api_key}) as gateway:
                assert (await gateway.post("/catalog/institutions", json={"rows": [
                    {"code": "BENCH1", "name": "基准医院", "level": 3, "kind": "public", "region_code": "500103"}]})
                ).status_code == 200
                principal = Principal(role=Role.ADMIN, tenant=None, key_id="bench")
                path = "/institutions/BENCH1"

                def signed():
                    return identity.sign(principal, key=identity_key.encode(), method="GET", path=path)

                async with httpx.AsyncClient(base_url=platform.service_urls["catalog"], limits=limits) as direct:
                    await load(direct, path, signed, 1, concurrency)  # warm-up
                    direct_latencies = await load(direct, path, signed, seconds, concurrency)
                await load(gateway, "/catalog" + path, dict, 1, concurrency)
                gateway_latencies = await load(gateway, "/catalog" + path, dict, seconds, concurrency)
            direct_rate, direct_p50 = summary("direct", direct_latencies, seconds)
            gateway_rate, gateway_p50 = summary("gateway", gateway_latencies, seconds)
            print(f"throughput ratio {gateway_rate / direct_rate:.2f} (goal ≥ 0.7); "
                  f"added p50 {gateway_p50 - direct_p50:.2f} ms (goal ≤ 2 ms)")
        finally:
            await asyncio.to_thread(platform.stop)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.concurrency))
