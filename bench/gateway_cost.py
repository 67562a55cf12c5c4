"""DESIGN §7 gateway cost: the same GET direct to the service vs through the gateway.

Starts the whole platform (embedded PostgreSQL and Tansu in a temporary folder), then
for each path runs a fixed number of concurrent connections for ``--seconds`` against
catalog's ``GET /institutions/{code}``: directly (the request signed as the gateway
would sign it) and through the gateway (with an API key). Prints throughput, p50 and
p99 for both, the throughput ratio (goal ≥ 0.7) and the added p50 (goal ≤ 2 ms).

The load comes from ``wrk`` when it is installed (``apt-get install wrk``): a Python
client costs as much CPU as the server it measures on a two-core machine. Without wrk,
an httpx client is used and the figures say more about the client than the server.

    .venv/bin/python bench/gateway_cost.py --seconds 10 --concurrency 16
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from vbpkit.web import identity
from vbptools.embedded import free_port, free_port_block
from vbpkit.web.identity import Principal, Role
from vbptools.launcher import Platform, PlatformSettings


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


def wrk(url: str, headers: dict[str, str], seconds: float, concurrency: int) -> tuple[float, float, float]:
    """Requests/s, p50 and p99 (ms) as wrk measures them."""
    command = ["wrk", f"-t{min(2, concurrency)}", f"-c{concurrency}", f"-d{int(seconds)}s", "--latency", url]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout

    def millis(label: str) -> float:
        value, unit = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return rate, millis("50%"), millis("99%")


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
                    return identity.sign(principal, key=identity_key.encode(), method="GET", service="catalog",
                                         path=path)

                if shutil.which("wrk"):
                    # a signature stays valid for its skew window (5 min): one is enough for a run
                    runs = {
                        "direct": wrk(platform.service_urls["catalog"] + path, signed(), seconds, concurrency),
                        "gateway": wrk(platform.gateway_url + "/catalog" + path,
                                       {"X-API-Key": platform.admin_api_key}, seconds, concurrency),
                    }
                    for name, (rate, p50, p99) in runs.items():
                        print(f"{name:8s} {rate:8.0f} req/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   (wrk)")
                    (direct_rate, direct_p50, _), (gateway_rate, gateway_p50, _) = runs["direct"], runs["gateway"]
                else:
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
