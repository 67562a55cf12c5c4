"""DESIGN §7 / issue 13 item 1: the month-end upload, ``POST /contracts/orders/bulk`` through the
gateway, against raw asyncpg ``COPY`` of the same lines into the same tables, in one run.

Starts the whole platform (embedded PostgreSQL and Tansu in a temporary folder) on a frozen clock
and sets up a market with the demo story's first steps (hospitals, companies, four batches, their
products, year-1 agreements signed by three parties — ``vbptools.demo.story``). Then, as
重庆医科大学附属第一医院's HIS, it posts ``--calls`` uploads of ``--orders`` orders × ``--lines``
lines each (every CON-4 rule applied: price, status, agreement, distributor, beyond-agreed), each
with new HIS order numbers, and once more the last call with its Idempotency-Key (a replay,
which writes nothing). Last, it COPYs the same number of orders and lines straight into
contracts' ``orders`` and ``order_lines`` with asyncpg, the floor no API can beat, and prints
lines/s for each and the ratio (goal: ≥ 50,000 lines/s and ≥ 0.25 × COPY).

    .venv/bin/python bench/month_end_upload.py --calls 5
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from vbptools.demo import story, world
from vbptools.embedded import free_port, free_port_block
from vbptools.launcher import Platform, PlatformSettings

HOSPITAL = "H500101001"


async def main(calls: int, orders: int, lines: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = PlatformSettings(data_dir=Path(folder), gateway_port=free_port(), kafka_port=free_port(),
                                    first_service_port=free_port_block(), log_level="WARNING",
                                    clock=f"frozen:{world.FIRST_DAY}T09:00")
        platform = Platform(settings)
        try:
            await platform.start()
            await measure(platform, Path(folder), calls, orders, lines)
        finally:
            await asyncio.to_thread(platform.stop)


async def market(platform: Platform, folder: Path) -> tuple[story.Story, list[tuple[int, str]]]:
    """The demo's hospitals, companies, batches and signed agreements; the clock in February."""
    admin = httpx.AsyncClient(base_url=platform.gateway_url, headers={"X-API-Key": platform.admin_api_key},
                              timeout=120)
    told = story.Story(admin, folder / "keys.json")
    await told.market("2023-02-06")
    products = [(told.products[(batch.code, index)], batch.items[index].price)
                for batch in world.BATCHES for (hospital, index) in batch.agreed if hospital == HOSPITAL]
    return told, products


def upload(products: list[tuple[int, str]], tag: str, orders: int, lines: int) -> dict:
    return {"orders": [{"his_order_no": f"{tag}-{o:05d}", "lines": [
        {"line_no": n + 1, "product_id": products[(o + n) % len(products)][0], "quantity": 1 + (o + n) % 7,
         "unit_price": products[(o + n) % len(products)][1]} for n in range(lines)]} for o in range(orders)]}


async def measure(platform: Platform, folder: Path, calls: int, orders: int, lines: int) -> None:
    told, products = await market(platform, folder)
    his = httpx.AsyncClient(base_url=platform.gateway_url, headers={"X-API-Key": told.keys[HOSPITAL]}, timeout=120)
    # warm-up: the first call pays for connections and caches
    (await his.post("/contracts/orders/bulk", json=upload(products, "WARM", 10, lines))).raise_for_status()
    seconds = []
    for call in range(calls):
        body = upload(products, f"B{call}-{uuid.uuid4().hex[:6]}", orders, lines)
        started = time.perf_counter()
        answer = await his.post("/contracts/orders/bulk", json=body, headers={"Idempotency-Key": f"bench-{call}"})
        seconds.append(time.perf_counter() - started)
        answer.raise_for_status()
        assert answer.json()["created"] == orders and not answer.json()["errors"], answer.text[:500]
    started = time.perf_counter()
    replay = await his.post("/contracts/orders/bulk", json=body, headers={"Idempotency-Key": f"bench-{calls - 1}"})
    replay_seconds = time.perf_counter() - started
    assert replay.headers.get("idempotent-replayed") == "true", replay.headers
    copy_seconds = await raw_copy(platform, products, orders, lines)

    total = orders * lines
    api = total * calls / sum(seconds)
    copy = total / copy_seconds
    print(f"upload: {calls} calls of {orders} orders × {lines} lines through the gateway, every CON-4 rule")
    print("  per call: " + ", ".join(f"{s:.2f} s" for s in seconds))
    print(f"  sustained: {api:,.0f} lines/s   (goal ≥ 50,000)")
    print(f"  replay of a call (Idempotency-Key): {replay_seconds:.2f} s = {total / replay_seconds:,.0f} lines/s")
    print(f"raw asyncpg COPY of {orders} orders and {total} lines into the same tables: {copy_seconds:.3f} s "
          f"= {copy:,.0f} lines/s")
    print(f"ratio upload / COPY: {api / copy:.3f}   (goal ≥ 0.25)")


async def raw_copy(platform: Platform, products: list[tuple[int, str]], orders: int, lines: int) -> float:
    url = make_url(platform.database_urls["contracts"])
    connection = await asyncpg.connect(user=url.username, host=url.query.get("host", url.host), port=url.port,
                                       database=url.database)
    try:
        agreement = await connection.fetchrow(
            "SELECT id, manufacturer_code, distributor_code FROM agreements WHERE hospital_code = $1 "
            "AND status = 'effective' LIMIT 1", HOSPITAL)
        ids = [r[0] for r in await connection.fetch(
            "SELECT nextval(pg_get_serial_sequence('orders', 'id')) FROM generate_series(1, $1)", orders)]
        now = datetime.now(timezone.utc)
        tag = uuid.uuid4().hex[:6]
        order_rows = [(i, HOSPITAL, f"RAW-{tag}-{n:05d}", "0" * 64, "bench", now) for n, i in enumerate(ids)]
        line_rows = [(i, n + 1, products[0][0], "BENCH", agreement["id"], agreement["manufacturer_code"],
                      agreement["distributor_code"], 1 + n % 7, 73000, False, "pending", 0)
                     for i in ids for n in range(lines)]
        started = time.perf_counter()
        async with connection.transaction():
            await connection.copy_records_to_table(
                "orders", records=order_rows,
                columns=["id", "hospital_code", "his_order_no", "request_sha256", "placed_by", "placed_at"])
            await connection.copy_records_to_table("order_lines", records=line_rows, columns=[
                "order_id", "line_no", "product_id", "batch_code", "agreement_id", "manufacturer_code",
                "distributor_code", "quantity", "unit_price_fen", "beyond_agreed", "status", "delivered_quantity"])
        return time.perf_counter() - started
    finally:
        await connection.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=10)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.calls, arguments.orders, arguments.lines))
