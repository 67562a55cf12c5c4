"""DESIGN §7 "HIS uploads" / issue MON-11 item 6: a HIS's national 3503 purchase rows posted
through the gateway against raw asyncpg ``COPY`` of the same rows, and the month's off-platform
reconciliation for 2,000 hospitals × 200 products against a plain SQL sum of the same rows —
each figure beside its floor, measured in the same run.

Starts the whole platform (embedded PostgreSQL and Tansu in a temporary folder) on a frozen
clock and sets up the demo story's market (``bench/month_end_upload.market``: hospitals,
companies, four batches, their products, year-1 agreements signed).

1. **Uploads.** As 重庆医科大学附属第一医院's HIS (role ``hospital``), ``--calls`` calls of
   ``--rows`` national 3503 商品采购 rows each (``{"rows": [...]}``, new ``fixmedins_bchno``
   each call, stocked in in January 2023, a valid row as ``PURCHASE_EXAMPLE`` with its
   operator's name, which is dropped on receipt) to ``POST /monitoring/his/3503`` through the
   gateway, after one warm-up call of 100 rows; then the last call once more (a replay: 200,
   every row ``unchanged``). The bodies are encoded before the clock starts. The floor: the
   same rows as the service stores them (parsed by ``vbp_monitoring.his.national``, fields as
   JSON text, content hash), with fresh ``fixmedins_bchno``, written by asyncpg
   ``copy_records_to_table`` into monitoring's ``his_records``, one transaction per call's
   rows. Prints rows/s of each and the ratio (goal ≥ 0.25 × COPY).
2. **Reconciliation.** Moves the clock to 2023-04-12 (March's upload due on the 10th) and
   writes straight into monitoring's database with COPY (the upload's speed is measured
   above): ``--hospitals`` hospitals (``institution_view``, spread over 20 Chongqing
   counties), ``--products`` winning products of the existing batch CQ-YP-2023 in
   ``product_view`` with their national insurance code, one 3503 purchase row per hospital ×
   product stocked in in March 2023 (``his_records``, with that code) and one accepted line
   per hospital × product (``accepted_lines``; a tenth of them short of the HIS quantity, so
   some rows are off-platform), then ANALYZE (as autovacuum would have by the time anyone
   reads). Times ``GET /monitoring/his/off-platform?month=2023-03`` through the gateway as
   the admin, every page of it (5,000 rows at most a page, whole hospitals) to the last byte (``--region-code`` adds a read of one county's
   hospitals; ``--region-only`` skips the whole-platform read), and as the floor the plain
   ``SELECT hospital_code, med_list_codg, sum(quantity) FROM his_records WHERE month = $1
   GROUP BY 1, 2`` by asyncpg over the same rows. Prints seconds and the ratio. Then times
   ``POST /monitoring/alert-checks`` (``--no-alert-check`` skips it): on that day the month
   check reconciles March for every hospital and raises its alerts.

The gateway's upstream timeout (``GATEWAY_UPSTREAM_TIMEOUT_SECONDS``, 30 s by default: the
service computes the whole answer before its first byte) is raised to 900 s for this run
unless set in the environment; a page that took longer than 30 s is flagged, since it would have been a 504
on the default setting. Monitoring's alert schedule
(``MONITORING_ALERT_CHECK_SECONDS``, every 60 s by default) is set to once a day unless set in
the environment: from 2023-04-11 on, each round would reconcile the same month in the same
process while the read is being timed; the month check is timed on its own instead.

``--profile`` adds, after the timings, the two service calls in process on a session of
monitoring's database: one call's rows through the steps the upload route takes (the route's
``json.loads``, ``uploads.upload`` and the commit),
each timed, then ``uploads.upload`` under cProfile (rolled back); and
``reconciliation.visible_reconciliation`` of the whole month in one answer (as a download
reads it) validated and JSON-encoded as the route does, under cProfile.

The figures go to stdout; the services' own logs go to stderr (at this size the month check's
failure logs its whole INSERT statement, several MB: send stderr to a file).

    .venv/bin/python bench/his_upload.py 2> his_upload.log   # defaults: 5 calls; 2,000 × 200
    .venv/bin/python bench/his_upload.py --region-code 500101 --profile 2> his_upload.log
    .venv/bin/python bench/his_upload.py --calls 2 --hospitals 200 --products 50 --region-code 500101
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import io
import json
import os
import pstats
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from month_end_upload import HOSPITAL, market  # noqa: E402  (the demo market, shared with the orders bench)

from vbp_monitoring.his import national  # noqa: E402
from vbp_monitoring.his import reconciliation as his_reconciliation  # noqa: E402
from vbp_monitoring.his import uploads as his_uploads  # noqa: E402
from vbp_monitoring.his.repository import COLUMNS  # noqa: E402
from vbp_monitoring.his.router import PURCHASE_EXAMPLE  # noqa: E402
from vbpkit.db.repository import as_json  # noqa: E402
from vbpkit.domain.regions import known_regions  # noqa: E402
from vbpkit.runtime.clock import SHANGHAI  # noqa: E402
from vbptools.demo import world  # noqa: E402
from vbptools.embedded import free_port, free_port_block  # noqa: E402
from vbptools.launcher import Platform, PlatformSettings  # noqa: E402

UPLOAD_MONTH = date(2023, 1, 1)       # the uploads' stock-in month, outside March ± 1
MONTH = date(2023, 3, 1)              # the month reconciled
CHECK_DAY = "2023-04-12"              # the clock while reconciling: March's upload was due on the 10th
BATCH = "CQ-YP-2023"                  # an existing batch in force in March 2023 (2023-02-01, two years)
MANUFACTURER = "91500000MA60Y0003Y"   # its manufacturer in the demo
FIRST_PRODUCT = 900_001               # product ids far above the catalog's
REGIONS = sorted(c for c, r in known_regions().items() if r.parent == "500000")[:20]  # Chongqing counties
SUPPLIERS = ("国药控股重庆有限公司", "重庆医药（集团）股份有限公司", "华润重庆医药有限公司")
DEFAULT_TIMEOUT = 30.0                # the gateway's upstream_timeout_seconds default


def code(product: int) -> str:
    """A national 医保耗材/药品 code as the catalog keeps it (upper case, no separators), ≤ 27 characters."""
    return f"XC0201010450{product:08d}"


# --- the rows ------------------------------------------------------------------------------------


def purchase_rows(tag: str, count: int, products: int) -> list[dict]:
    """``count`` national 3503 rows as a HIS sends them, keys ``{tag}{n}``."""
    month = UPLOAD_MONTH.strftime("%Y-%m")
    rows = []
    for n in range(count):
        p = n % products
        rows.append({**PURCHASE_EXAMPLE, "med_list_codg": code(p), "fixmedins_hilist_id": f"HC{p:05d}",
                     "fixmedins_hilist_name": f"基准药品{p}号 20mg×28片", "fixmedins_bchno": f"{tag}{n:06d}",
                     "spler_name": SUPPLIERS[n % len(SUPPLIERS)], "manu_lotnum": f"L2301{p % 97:02d}",
                     "finl_trns_pric": f"{12 + p % 50}.600000", "purc_retn_cnt": str(1 + n % 9),
                     "purc_retn_stoin_time": f"{month}-{1 + n % 28:02d} {8 + n % 10:02d}:20:00"})
    return rows


def stored_records(rows: list[dict], hospital: str, now: datetime) -> list[tuple]:
    """The rows as ``uploads.upload`` stores them (``his_records``' COLUMNS), built apart from any timing."""
    interface = national.INTERFACES["3503"]
    records = []
    for raw in rows:
        values, kept, problems = national.read_row(interface, national.without_identity(raw))
        assert not problems, problems
        text = as_json(kept)
        at = values[interface.time]
        records.append((hospital, "purchase", values["fixmedins_bchno"], national.code_key(values["med_list_codg"]),
                        values[interface.quantity], values.get(interface.price), at,
                        at.astimezone(SHANGHAI).date().replace(day=1), values.get("spler_name"), text,
                        hashlib.sha256(text.encode()).hexdigest(), now))
    return records


def encoded(rows: list[dict]) -> bytes:
    return json.dumps({"rows": rows}, ensure_ascii=False).encode()


# --- the platform ----------------------------------------------------------------------------------


async def connect(platform: Platform, service_name: str) -> asyncpg.Connection:
    url = make_url(platform.database_urls[service_name])
    return await asyncpg.connect(user=url.username, password=url.password, host=url.query.get("host", url.host),
                                 port=url.port, database=url.database)


async def main(arguments: argparse.Namespace) -> None:
    raised = "GATEWAY_UPSTREAM_TIMEOUT_SECONDS" not in os.environ
    os.environ.setdefault("GATEWAY_UPSTREAM_TIMEOUT_SECONDS", "900")
    quiet = "MONITORING_ALERT_CHECK_SECONDS" not in os.environ
    os.environ.setdefault("MONITORING_ALERT_CHECK_SECONDS", "86400")
    with tempfile.TemporaryDirectory() as folder:
        settings = PlatformSettings(data_dir=Path(folder), gateway_port=free_port(), kafka_port=free_port(),
                                    first_service_port=free_port_block(), log_level="WARNING",
                                    clock=f"frozen:{world.FIRST_DAY}T09:00")
        platform = Platform(settings)
        try:
            started = time.perf_counter()
            await platform.start()
            told, _ = await market(platform, Path(folder))
            notes = (["gateway upstream timeout raised from 30 s to 900 s"] if raised else []) + (
                ["monitoring alert schedule once a day instead of every 60 s (the month check is timed apart)"]
                if quiet else [])
            print(f"platform started and market set up in {time.perf_counter() - started:.0f} s"
                  + "".join(f"; {n}" for n in notes))
            await uploads(platform, told, arguments)
            await told.day(CHECK_DAY)
            await reconciliation(platform, arguments)
            if arguments.profile:
                await profile(platform, arguments)
        finally:
            await asyncio.to_thread(platform.stop)


# --- 1. uploads --------------------------------------------------------------------------------------


async def uploads(platform: Platform, told, arguments: argparse.Namespace) -> None:
    calls, count, products = arguments.calls, arguments.rows, arguments.products
    his = httpx.AsyncClient(base_url=platform.gateway_url, timeout=600,
                            headers={"X-API-Key": told.keys[HOSPITAL], "Content-Type": "application/json"})
    run = uuid.uuid4().hex[:4].upper()
    warm = await his.post("/monitoring/his/3503", content=encoded(purchase_rows(f"W{run}", 100, products)))
    assert warm.status_code == 200 and warm.json()["created"] == 100, warm.text[:500]
    bodies = [encoded(purchase_rows(f"A{run}{call:02d}", count, products)) for call in range(calls)]
    seconds = []
    for body in bodies:
        started = time.perf_counter()
        answer = await his.post("/monitoring/his/3503", content=body)
        seconds.append(time.perf_counter() - started)
        assert answer.status_code == 200 and answer.json()["created"] == count, answer.text[:500]
    started = time.perf_counter()
    replay = await his.post("/monitoring/his/3503", content=bodies[-1])
    replay_seconds = time.perf_counter() - started
    assert replay.status_code == 200, replay.text[:500]
    assert replay.json()["unchanged"] == count and replay.json()["created"] == 0, replay.text[:500]
    await his.aclose()

    now = datetime.now(timezone.utc)
    batches = [stored_records(purchase_rows(f"R{run}{call:02d}", count, products), HOSPITAL, now)
               for call in range(calls)]
    connection = await connect(platform, "monitoring")
    try:
        copy_seconds = 0.0
        for records in batches:
            started = time.perf_counter()
            async with connection.transaction():
                await connection.copy_records_to_table("his_records", records=records, columns=COLUMNS)
            copy_seconds += time.perf_counter() - started
    finally:
        await connection.close()

    total = calls * count
    api, copy = total / sum(seconds), total / copy_seconds
    size = len(bodies[0]) / 1e6
    print(f"\n1. uploads: {calls} calls of {count:,} national 3503 rows ({size:.1f} MB each) "
          f"to POST /monitoring/his/3503 through the gateway, as hospital {HOSPITAL}")
    print("  per call: " + ", ".join(f"{s:.2f} s" for s in seconds))
    print(f"  sustained: {api:,.0f} rows/s")
    print(f"  replay of the last call (200, unchanged = {count:,}): {replay_seconds:.2f} s "
          f"= {count / replay_seconds:,.0f} rows/s")
    print(f"  raw asyncpg COPY of the same {total:,} rows into his_records ({calls} transactions): "
          f"{copy_seconds:.3f} s = {copy:,.0f} rows/s")
    print(f"  ratio upload / COPY: {api / copy:.3f}   (goal ≥ 0.25)")


# --- 2. reconciliation --------------------------------------------------------------------------------


async def setup_month(platform: Platform, hospitals: int, products: int, unmapped: int) -> dict[str, int]:
    """The hospitals, products, HIS rows and accepted lines of the month, by COPY; what was written."""
    now = datetime.now(timezone.utc)
    month = MONTH.strftime("%Y-%m")
    connection = await connect(platform, "monitoring")
    try:
        batch = await connection.fetchrow("SELECT starts_on, ends_on FROM batch_view WHERE code = $1", BATCH)
        assert batch and batch["starts_on"] <= MONTH <= batch["ends_on"], (BATCH, batch)
        status = await connection.fetchval("SELECT status FROM product_view WHERE batch_code = $1 AND winning", BATCH)
        assert status, f"no winning product of {BATCH} in monitoring's product_view"
        codes = [f"HX{REGIONS[h % len(REGIONS)]}{h:05d}" for h in range(hospitals)]
        institutions = [(c, f"基准医院{h}号", 2, "public", REGIONS[h % len(REGIONS)], "employee", now)
                        for h, c in enumerate(codes)]
        product_rows = [(FIRST_PRODUCT + p, BATCH, "G1", f"国药准字H2023{p:04d}", "20mg×28片", f"基准药品{p}号",
                         MANUFACTURER, True, 0, 1260 + p, status, code(p), "盒", now) for p in range(products)]
        his, lines = [], []
        for h, hospital in enumerate(codes):
            for p in range(products):
                quantity = 10 + (h * 31 + p) % 20
                day = 1 + (h + p) % 31
                at = datetime(2023, 3, day, 8 + (h + p) % 10, 20, tzinfo=SHANGHAI)
                price = Decimal(1260 + p) / 100
                kept = {"aprvno": f"国药准字H2023{p:04d}", "expy_end": "2025-01-09",
                        "finl_trns_pric": format(price, "f"), "fixmedins_bchno": f"M{h:05d}{p:04d}",
                        "fixmedins_hilist_id": f"HC{p:05d}", "fixmedins_hilist_name": f"基准药品{p}号 20mg×28片",
                        "manu_date": "2023-01-10", "manu_lotnum": "L2301", "med_list_codg": code(p),
                        "prdr_name": "重庆药友制药有限责任公司", "purc_retn_cnt": str(quantity),
                        "purc_retn_stoin_time": at.strftime("%Y-%m-%d %H:%M:%S"), "rx_flag": "1",
                        "spler_name": SUPPLIERS[(h + p) % len(SUPPLIERS)]}
                text = json.dumps(kept, ensure_ascii=False, sort_keys=True)
                his.append((hospital, "purchase", kept["fixmedins_bchno"], code(p), Decimal(quantity), price, at,
                            MONTH, kept["spler_name"], text, hashlib.sha256(text.encode()).hexdigest(), now))
                accepted = quantity - 3 if (h + p) % 10 == 0 else quantity  # a tenth bought partly off the platform
                lines.append((1_000_000_000 + h, p + 1, hospital, BATCH, 1, MANUFACTURER, FIRST_PRODUCT + p,
                              accepted, 1260 + p, date(2023, 3, day), now))
            for u in range(unmapped):  # a product no catalog product has the code of (not a VBP product)
                text = json.dumps({"fixmedins_bchno": f"N{h:05d}{u:04d}", "med_list_codg": f"XN{u:08d}"})
                his.append((hospital, "purchase", f"N{h:05d}{u:04d}", f"XN{u:08d}", Decimal(5), Decimal("3.5"),
                            datetime(2023, 3, 1 + u % 28, 9, 0, tzinfo=SHANGHAI), MONTH, SUPPLIERS[0], text,
                            hashlib.sha256(text.encode()).hexdigest(), now))
        started = time.perf_counter()
        async with connection.transaction():
            await connection.copy_records_to_table("institution_view", records=institutions, columns=[
                "code", "name", "level", "kind", "region_code", "fund", "as_of"])
            await connection.copy_records_to_table("product_view", records=product_rows, columns=[
                "product_id", "batch_code", "group_code", "registration_no", "spec", "name",
                "applicant_credit_code", "winning", "service_price_fen", "winning_price_fen", "status",
                "insurance_code", "unit", "as_of"])
            await connection.copy_records_to_table("his_records", records=his, columns=COLUMNS)
            await connection.copy_records_to_table("accepted_lines", records=lines, columns=[
                "delivery_id", "line_no", "hospital_code", "batch_code", "agreement_year", "manufacturer_code",
                "product_id", "quantity", "unit_price_fen", "accepted_on", "as_of"])
        copied = time.perf_counter() - started
        await connection.execute("ANALYZE his_records, accepted_lines, product_view, institution_view")
        print(f"\n2. reconciliation of {month}: {hospitals:,} hospitals × {products} products of {BATCH} "
              f"(insurance codes set), COPY of {len(his):,} HIS purchase rows"
              f"{f' ({hospitals * unmapped:,} of them of {unmapped} unmapped code(s) a hospital)' if unmapped else ''} "
              f"and {len(lines):,} accepted lines in {copied:.1f} s, then ANALYZE")
        return {"his": len(his), "lines": len(lines)}
    finally:
        await connection.close()


class Pages:
    """Every page of a read, as one answer: its rows, alerts and bytes."""

    def __init__(self):
        self.rows = self.alerts = self.bytes = self.pages = 0
        self.slowest = 0.0


async def read(client: httpx.AsyncClient, params: dict) -> tuple[float, Pages]:
    """The whole month, page after page (5,000 rows at most each) until no cursor is left."""
    found, cursor = Pages(), None
    started = time.perf_counter()
    while True:
        asked = time.perf_counter()
        answer = await client.get("/monitoring/his/off-platform", params={
            **params, "limit": 5_000, **({"cursor": cursor} if cursor else {})})
        found.slowest = max(found.slowest, time.perf_counter() - asked)
        assert answer.status_code == 200, (answer.status_code, answer.text[:500])
        found.pages += 1
        found.rows += answer.content.count(b'"hospital_code":')
        found.alerts += answer.content.count(b'"alert":true')
        found.bytes += len(answer.content)
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            return time.perf_counter() - started, found


async def floor(platform: Platform, hospitals: list[str] | None) -> tuple[float, int]:
    """The plain SQL sum of the same rows, by asyncpg; the best of 3 (the first warms the cache)."""
    connection = await connect(platform, "monitoring")
    try:
        best, found = float("inf"), 0
        for _ in range(3):
            started = time.perf_counter()
            if hospitals is None:
                rows = await connection.fetch("SELECT hospital_code, med_list_codg, sum(quantity) FROM his_records "
                                              "WHERE month = $1 GROUP BY 1, 2", MONTH)
            else:
                rows = await connection.fetch("SELECT hospital_code, med_list_codg, sum(quantity) FROM his_records "
                                              "WHERE month = $1 AND hospital_code = ANY($2::text[]) GROUP BY 1, 2",
                                              MONTH, hospitals)
            best, found = min(best, time.perf_counter() - started), len(rows)
        return best, found
    finally:
        await connection.close()


async def reconciliation(platform: Platform, arguments: argparse.Namespace) -> None:
    written = await setup_month(platform, arguments.hospitals, arguments.products, arguments.unmapped_codes)
    expected = arguments.hospitals * arguments.products
    month = MONTH.strftime("%Y-%m")
    admin = httpx.AsyncClient(base_url=platform.gateway_url, headers={"X-API-Key": platform.admin_api_key},
                              timeout=httpx.Timeout(1800, connect=10))
    try:
        if not arguments.region_only:
            seconds, answer = await read(admin, {"month": month})
            rows, alerts = answer.rows, answer.alerts
            assert rows == expected, (rows, expected)
            floor_seconds, floor_rows = await floor(platform, None)
            late = (f"; slowest page {answer.slowest:.2f} s"
                    + ("  — over the default 30 s upstream timeout: a 504 as deployed"
                       if answer.slowest > DEFAULT_TIMEOUT else ""))
            print(f"  GET /monitoring/his/off-platform?month={month} as the admin through the gateway: "
                  f"{seconds:.2f} s for {rows:,} rows in {answer.pages:,} pages ({answer.bytes / 1e6:,.0f} MB of JSON, "
                  f"{alerts:,} alerts){late}")
            print(f"  plain SQL sum by hospital × code over the month's {written['his']:,} rows (asyncpg, best of 3): "
                  f"{floor_seconds:.3f} s for {floor_rows:,} groups")
            print(f"  ratio read / SQL: {seconds / floor_seconds:,.0f} ×   "
                  f"(read {'≤' if seconds <= 120 else '>'} 120 s)")
        if arguments.region_code:
            hospitals = [f"HX{arguments.region_code}{h:05d}" for h in range(arguments.hospitals)
                         if REGIONS[h % len(REGIONS)] == arguments.region_code]
            assert hospitals, f"no bench hospital in {arguments.region_code}; one of {', '.join(REGIONS)}"
            seconds, answer = await read(admin, {"month": month, "region_code": arguments.region_code})
            rows = answer.rows
            assert rows == len(hospitals) * arguments.products, (rows, len(hospitals))
            floor_seconds, floor_rows = await floor(platform, hospitals)
            print(f"  same read with region_code={arguments.region_code} ({len(hospitals)} hospitals): "
                  f"{seconds:.2f} s for {rows:,} rows in {answer.pages:,} pages ({answer.bytes / 1e6:,.1f} MB)")
            print(f"  plain SQL sum of those hospitals' rows (best of 3): {floor_seconds:.3f} s for {floor_rows:,} "
                  f"groups; ratio {seconds / floor_seconds:,.0f} ×")
        if not arguments.no_alert_check:
            started = time.perf_counter()
            answer = await admin.post("/monitoring/alert-checks")
            seconds = time.perf_counter() - started
            told = (f"{len(answer.json()['alerts_raised']):,} alerts raised" if answer.status_code == 200
                    else answer.text[:300])
            print(f"  POST /monitoring/alert-checks on {CHECK_DAY} (reconciles {month} for every hospital and raises "
                  f"its alerts): {answer.status_code} in {seconds:.2f} s: {told}")
    finally:
        await admin.aclose()


# --- --profile ---------------------------------------------------------------------------------------


def top(profiler: cProfile.Profile, title: str, lines: int) -> None:
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(lines)
    text = out.getvalue()
    print(f"\n--- cProfile: {title} (cumulative) ---")
    print(text[text.find("   ncalls"):].rstrip())


async def profile(platform: Platform, arguments: argparse.Namespace) -> None:
    from vbp_monitoring.his.schemas import OffPlatformPage
    from vbpkit.db.engine import create_engine, create_sessionmaker
    from vbpkit.web.identity import Principal, Role

    engine = create_engine(platform.database_urls["monitoring"])
    sessions = create_sessionmaker(engine)
    try:
        tag = uuid.uuid4().hex[:4].upper()
        print(f"\n--- one call of {arguments.rows:,} rows in process (monitoring's own steps, no HTTP), unprofiled ---")
        for attempt in range(2):
            raw = encoded(purchase_rows(f"Q{tag}{attempt}", arguments.rows, arguments.products))
            marks = [time.perf_counter()]
            body = json.loads(raw, parse_float=Decimal)  # the route's _json
            marks.append(time.perf_counter())
            async with sessions() as session:
                result = await his_uploads.upload(session, hospital=HOSPITAL, infno="3503", body=body,
                                              now=datetime.now(timezone.utc))
                marks.append(time.perf_counter())
                await session.commit()
                marks.append(time.perf_counter())
            assert result["created"] == arguments.rows, result
            parts = [b - a for a, b in zip(marks, marks[1:])]
            print(f"  json.loads {parts[0]:.2f} s, uploads.upload {parts[1]:.2f} s, "
                  f"commit {parts[2]:.2f} s: {sum(parts):.2f} s = {arguments.rows / sum(parts):,.0f} rows/s")

        body = json.loads(encoded(purchase_rows(f"P{tag}", arguments.rows, arguments.products)), parse_float=Decimal)
        async with sessions() as session:
            profiler = cProfile.Profile()
            started = time.perf_counter()
            profiler.enable()
            result = await his_uploads.upload(session, hospital=HOSPITAL, infno="3503", body=body,
                                          now=datetime.now(timezone.utc))
            profiler.disable()
            elapsed = time.perf_counter() - started
            await session.rollback()
        assert result["created"] == arguments.rows, result
        top(profiler, f"uploads.upload of {arguments.rows:,} rows, {elapsed:.2f} s under the profiler", 30)

        admin = Principal(role=Role.ADMIN, key_id="bench")
        async with sessions() as session:
            marks = [time.perf_counter()]
            month, rows, _ = await his_reconciliation.visible_reconciliation(
                session, principal=admin, month=MONTH.strftime("%Y-%m"), today=date.fromisoformat(CHECK_DAY),
                hospital_code=None, batch_code=None, region_code=None)
            marks.append(time.perf_counter())
            page = OffPlatformPage(month=month, items=rows, next_cursor=None)
            marks.append(time.perf_counter())
            size = len(page.model_dump_json())
            marks.append(time.perf_counter())
            del page, rows
        parts = [b - a for a, b in zip(marks, marks[1:])]
        print(f"\n--- the off-platform read in process, unprofiled: visible_reconciliation {parts[0]:.1f} s, "
              f"OffPlatformPage {parts[1]:.1f} s, JSON {parts[2]:.1f} s ({size / 1e6:,.0f} MB): {sum(parts):.1f} s ---")
        async with sessions() as session:
            profiler = cProfile.Profile()
            started = time.perf_counter()
            profiler.enable()
            month, rows, _ = await his_reconciliation.visible_reconciliation(
                session, principal=admin, month=MONTH.strftime("%Y-%m"), today=date.fromisoformat(CHECK_DAY),
                hospital_code=None, batch_code=None, region_code=None)
            queried = time.perf_counter() - started
            page = OffPlatformPage(month=month, items=rows, next_cursor=None)
            validated = time.perf_counter() - started
            size = len(page.model_dump_json())
            profiler.disable()
            elapsed = time.perf_counter() - started
        top(profiler, f"visible_reconciliation {queried:.1f} s + OffPlatformPage {validated - queried:.1f} s + "
                      f"JSON {elapsed - validated:.1f} s ({size / 1e6:,.0f} MB), {len(rows):,} rows, "
                      f"under the profiler", 40)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=5, help="upload calls through the gateway (default 5)")
    parser.add_argument("--rows", type=int, default=10_000, help="3503 rows a call, ≤ 10,000 (default 10,000)")
    parser.add_argument("--hospitals", type=int, default=2_000, help="hospitals reconciled (default 2,000)")
    parser.add_argument("--products", type=int, default=200, help="winning products reconciled (default 200)")
    parser.add_argument("--unmapped-codes", type=int, default=0,
                        help="also write, per hospital, this many March purchase rows of codes no catalog product "
                             "has (what a HIS sends for products outside the batches; default 0)")
    parser.add_argument("--region-code", choices=REGIONS, default=None,
                        help="also read one county's hospitals (1/20 of them) with region_code")
    parser.add_argument("--region-only", action="store_true", help="skip the whole-platform read (needs --region-code)")
    parser.add_argument("--no-alert-check", action="store_true",
                        help="skip timing POST /monitoring/alert-checks (the month check) after the reads")
    parser.add_argument("--profile", action="store_true", help="cProfile the two service calls in process afterwards")
    arguments = parser.parse_args()
    if arguments.region_only and not arguments.region_code:
        parser.error("--region-only needs --region-code")
    asyncio.run(main(arguments))
