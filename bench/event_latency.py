"""DESIGN §7 event latency: outbox commit → monitoring read model updated, at ~1,000 events/s.

Starts the whole platform (embedded PostgreSQL and Tansu in a temporary folder) and, for
``--seconds``, commits ``--batch`` events every ``--interval`` seconds, polling monitoring's
read model for each one's arrival every 10 ms. Latency runs from the commit to the first
poll that sees the row, so it includes up to one poll interval. Prints p50/p99 and the goal.

- ``--event institution``: institutions registered through the gateway (catalog's POST
  returned = its transaction committed) → monitoring's ``institution_view``;
- ``--event acceptance`` (issue 9: acceptance committed → progress updated):
  ``contracts.delivery.accepted`` events committed into contracts' outbox in one transaction
  a batch, exactly as the acceptance of a delivery stages them (``vbpkit.messaging.outbox.add``), →
  monitoring's ``accepted_lines`` and ``monthly_purchases``, what progress and the monthly
  report read. Monitoring consumes all three upstream topics meanwhile.

    .venv/bin/python bench/event_latency.py --seconds 10 --event acceptance
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from datetime import date

import asyncpg
import httpx
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from vbpkit.messaging import outbox
from vbpkit.events.contracts import DeliveryAcceptedV2

from vbptools.embedded import free_port, free_port_block
from vbptools.launcher import Platform, PlatformSettings


async def main(seconds: float, batch: int, interval: float, event: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = PlatformSettings(data_dir=Path(folder), gateway_port=free_port(), kafka_port=free_port(),
                                    first_service_port=free_port_block(), log_level="WARNING")
        platform = Platform(settings)
        await platform.start()
        print(f"platform started in {platform.startup_seconds:.1f}s")
        try:
            if event == "acceptance":
                await measure_acceptances(platform, seconds, batch, interval)
            else:
                await measure(platform, seconds, batch, interval)
        finally:
            await asyncio.to_thread(platform.stop)


async def measure(platform: Platform, seconds: float, batch: int, interval: float) -> None:
    url = make_url(platform.database_urls["monitoring"])
    monitoring = await asyncpg.connect(user=url.username, host=url.query.get("host", url.host),
                                       port=url.port, database=url.database)
    admin = httpx.AsyncClient(base_url=platform.gateway_url, headers={"X-API-Key": platform.admin_api_key}, timeout=30)
    key = (await admin.post("/admin/api-keys", json={"role": "exchange", "tenant": "BENCH", "label": "bench"})).json()
    client = httpx.AsyncClient(base_url=platform.gateway_url, headers={"X-API-Key": key["api_key"]}, timeout=30)
    # Steady state only: consumer groups join a few seconds after start-up, so wait
    # until one event has crossed before the clock starts.
    warm = f"W{uuid.uuid4().hex[:8]}"
    row = {"code": warm, "name": warm, "level": 2, "kind": "public", "region_code": "500103"}
    (await client.post("/catalog/institutions", json={"rows": [row]})).raise_for_status()
    while not await monitoring.fetchval("SELECT 1 FROM institution_view WHERE code = $1", warm):
        await asyncio.sleep(0.05)
    committed: dict[str, float] = {}
    arrived: dict[str, float] = {}
    prefix = uuid.uuid4().hex[:6]

    async def produce():
        n = 0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.monotonic()
            codes = [f"B{prefix}{n + i:07d}" for i in range(batch)]
            rows = [{"code": c, "name": c, "level": 2, "kind": "public", "region_code": "500103"} for c in codes]
            response = await client.post("/catalog/institutions", json={"rows": rows})
            response.raise_for_status()
            now = time.monotonic()
            committed.update({c: now for c in codes})
            n += batch
            await asyncio.sleep(max(0.0, interval - (now - started)))

    async def observe(done: asyncio.Event):
        give_up = None
        while not done.is_set() or len(arrived) < len(committed):
            rows = await monitoring.fetch("SELECT code FROM institution_view WHERE code LIKE $1", f"B{prefix}%")
            now = time.monotonic()
            for r in rows:
                arrived.setdefault(r["code"], now)
            await asyncio.sleep(0.01)
            if done.is_set():
                give_up = give_up or now + 60
                if now > give_up:
                    break

    done = asyncio.Event()
    watcher = asyncio.create_task(observe(done))
    started = time.monotonic()
    await produce()
    elapsed = time.monotonic() - started
    done.set()
    await watcher
    report(committed, arrived, elapsed)
    await breakdown(platform, monitoring, "catalog")
    await monitoring.close()
    await client.aclose()
    await admin.aclose()


def report(committed: dict, arrived: dict, elapsed: float) -> None:
    latencies = sorted((arrived[c] - committed[c]) * 1000 for c in committed if c in arrived)
    lost = len(committed) - len(latencies)
    p50 = statistics.median(latencies)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(f"events: {len(committed)} in {elapsed:.1f}s = {len(committed) / elapsed:.0f}/s; arrived {len(latencies)}, lost {lost}")
    print(f"latency commit → monitoring read model: p50 {p50:.0f} ms, p99 {p99:.0f} ms (goal p50 ≤ 100, p99 ≤ 500)")


def accepted(delivery_id: int) -> DeliveryAcceptedV2:
    today = date.today()
    return DeliveryAcceptedV2(
        delivery_id=delivery_id, line_no=1, order_id=delivery_id, hospital_code=f"H{delivery_id % 1000:04d}",
        product_id=delivery_id % 200 + 1, batch_code="BENCH", agreement_id=1, agreement_year=1,
        manufacturer_code="91500000MA5U0000A1", distributor_code="91500000MA5U0000D4", quantity=2,
        unit_price_fen=73_000, amount_fen=146_000, ordered_on=today, delivered_on=today, accepted_on=today)


async def measure_acceptances(platform: Platform, seconds: float, batch: int, interval: float) -> None:
    """Acceptances committed into contracts' outbox → monitoring's accepted lines."""
    url = make_url(platform.database_urls["monitoring"])
    monitoring = await asyncpg.connect(user=url.username, host=url.query.get("host", url.host),
                                       port=url.port, database=url.database)
    engine = create_async_engine(platform.database_urls["contracts"])
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    base = int(time.time()) * 100_000  # delivery ids of this run

    async def commit(ids: list[int]) -> float:
        async with sessions() as session, session.begin():
            for delivery_id in ids:
                outbox.add(session, accepted(delivery_id), key=f"H{delivery_id % 1000:04d}")
        return time.monotonic()

    await commit([base])  # warm-up: consumer groups join a few seconds after start-up
    while not await monitoring.fetchval("SELECT 1 FROM accepted_lines WHERE delivery_id = $1", base):
        await asyncio.sleep(0.05)
    committed: dict[int, float] = {}
    arrived: dict[int, float] = {}
    done = asyncio.Event()

    async def observe():
        give_up = None
        while not done.is_set() or len(arrived) < len(committed):
            rows = await monitoring.fetch("SELECT delivery_id FROM accepted_lines WHERE delivery_id > $1", base)
            now = time.monotonic()
            for r in rows:
                arrived.setdefault(r["delivery_id"], now)
            await asyncio.sleep(0.01)
            if done.is_set():
                give_up = give_up or now + 60
                if now > give_up:
                    break

    watcher = asyncio.create_task(observe())
    started = time.monotonic()
    n = base + 1
    while time.monotonic() - started < seconds:
        began = time.monotonic()
        ids = list(range(n, n + batch))
        committed.update(dict.fromkeys(ids, await commit(ids)))
        n += batch
        await asyncio.sleep(max(0.0, interval - (time.monotonic() - began)))
    elapsed = time.monotonic() - started
    done.set()
    await watcher
    report(committed, arrived, elapsed)
    months = await monitoring.fetchval("SELECT sum(accepted_quantity) FROM monthly_purchases WHERE batch_code = 'BENCH'")
    print(f"  monthly_purchases holds {months} units of the {2 * (len(committed) + 1)} accepted")
    await breakdown(platform, monitoring, "contracts")
    await monitoring.close()
    await engine.dispose()


async def breakdown(platform: Platform, monitoring, producer: str) -> None:
    """Where the time goes: outbox row created → relay marked it sent → monitoring's inbox."""
    url = make_url(platform.database_urls[producer])
    source = await asyncpg.connect(user=url.username, host=url.query.get("host", url.host),
                                   port=url.port, database=url.database)
    rows = {r["event_id"]: r for r in await source.fetch("SELECT event_id, created_at, published_at FROM outbox")}
    handled = await monitoring.fetch("SELECT event_id, processed_at FROM processed_events")
    await source.close()
    relay = sorted((r["published_at"] - r["created_at"]).total_seconds() * 1000 for r in rows.values() if r["published_at"])
    consumer = sorted(
        (h["processed_at"] - rows[h["event_id"]]["published_at"]).total_seconds() * 1000
        for h in handled if h["event_id"] in rows and rows[h["event_id"]]["published_at"]
    )
    for name, values in (("relay (created → marked sent)", relay), ("consumer (sent → handled)", consumer)):
        if values:
            print(f"  {name}: p50 {statistics.median(values):.0f} ms, p99 {values[int(len(values) * 0.99) - 1]:.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--event", choices=["institution", "acceptance"], default="institution")
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.batch, args.interval, args.event))
