"""DESIGN §7 report cost: the MON-8 monthly report for 1,000 hospitals × 200 products over
1 M, 3 M and 10 M accepted delivery lines answers in ≤ 1 s at 10 M, and its time stays flat
as the lines grow (its cost follows the items, not the rows).

Starts an embedded PostgreSQL in a temporary folder (or uses ``--database-url``), migrates a
monitoring database and sets it up once: a chongqing-2025 batch, 1,000 hospitals (700 in
Chongqing counties under 500000, 300 in Chengdu districts under 510000), 200 products of 10
manufacturers, baseline prices for the 100 even ones. Facts the report also reads, whose
number does not follow the lines, are set up once too: one invoice per hospital × company ×
month (120,000, each with a payment, a fifth of them late), a prepayment plan and its
disbursement per hospital, a fund payable with an offset per hospital and month, 50 late
tranches and 1,200 alerts.

Then, cumulatively (load 1 M lines, measure; load 2 M more, measure; load 7 M more,
measure), for each size:

1. the accepted lines are written with COPY (asyncpg ``copy_records_to_table``, 500,000
   records a call) into monitoring's own ``accepted_lines``, spread at random (seeded) over
   the days of 2025 and over all 1,000 × 200 items, 5 lines a delivery; one line in 100 is
   returned (``line_returns``), one unit, a week later;
2. ``monthly_purchases`` is emptied and filled with the two INSERT … SELECT statements of
   migration 0011 (accepted lines, then returns, GROUP BY month × batch × hospital × product
   × manufacturer): the same sums the consumer adds (``report.handlers.on_deliveries_accepted``
   and ``on_delivery_returned``) one event batch at a time, done at once. ``monthly_supply`` is filled
   with one row per item-month bought (ordered = confirmed = delivered = accepted), so the
   report's supply part reads as many items as its purchases part;
3. the tables are vacuumed and analysed (as autovacuum would have by the time anyone reads;
   done here so it does not run during the timing) and checkpointed, and
   ``report.service.monthly_report`` is timed for 2025-06 — for the whole platform (an
   admin) and for region 500000 (an insurer of 500000), each the median of 5 runs after 1
   warm-up, a new session each run — twice: on connections with ``plan_cache_mode =
   force_custom_plan`` (each statement planned for its values, as PostgreSQL does for the
   first five runs of a prepared statement) and ``force_generic_plan`` (planned for any
   values, which ``auto`` may switch to from the sixth run: the asyncpg dialect keeps the
   service's statements prepared on each pooled connection);
4. the same again after ``CLUSTER`` of ``monthly_purchases`` and ``monthly_supply`` on their
   primary keys (month first): the INSERT … SELECT writes its groups in hash order, so every
   page holds rows of every month, while events arriving month by month write a month's rows
   mostly together.

It prints, per size: the lines, the load and aggregation times, the aggregate's rows (all
months, the month's, the region's in the month), the report times, and at the end the
ratio report(largest) / report(smallest). At the largest size, for each layout, one more
run on connections as the service opens them (``auto``), after 6 runs on them, times each
of the report's calls and statements (``--explain`` adds EXPLAIN ANALYZE of the two slowest
statements, planned both ways).

    .venv/bin/python bench/monitoring_report.py                         # 1 M, 3 M, 10 M
    .venv/bin/python bench/monitoring_report.py --sizes 100000,300000   # a quick run
"""

from __future__ import annotations

import argparse
import importlib.util
import asyncio
import calendar
import logging
import os
import random
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import asyncpg
from sqlalchemy import event, insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from vbp_monitoring.main import MIGRATIONS
from vbp_monitoring.report import repository as report_repository
from vbp_monitoring.report import service
from vbp_monitoring.report.schemas import MonthlyReport
from vbp_monitoring.savings.models import BaselinePrice
from vbpkit.db.engine import create_sessionmaker
from vbptools.embedded import EmbeddedPostgres, ensure_databases, server_url_to_async
from vbpkit.web.identity import Principal, Role
from vbpkit.db.migrations import upgrade_to_head
from vbpkit.domain.policy import policy_from_preset
from vbpkit.projections.catalog_view import repository as catalog_repository
from vbpkit.projections.catalog_view.models import BatchView, ProductView
from vbpkit.projections.registry import repository as registry_repository
from vbpkit.projections.registry.models import InstitutionView, fund_for_level

ADMIN = Principal(role=Role.ADMIN, key_id="bench")
CHONGQING = Principal(role=Role.INSURER, key_id="bench", tenant="500000")
BATCH = "CQ-2025"
MONTH = date(2025, 6, 1)
HOSPITALS = 1000
PRODUCTS = 200
COMPANIES = 10
LINES_PER_DELIVERY = 5
RETURN_EVERY = 100
CHUNK = 500_000
RUNS = 5

CQ_COUNTIES = ["500101", "500102", "500103", "500104", "500106", "500107", "500108", "500109", "500110", "500111",
               "500113", "500114", "500115", "500116", "500117", "500118", "500119", "500120", "500151", "500152",
               "500153", "500154", "500155", "500156", "500157"]
SC_DISTRICTS = ["510104", "510105", "510106", "510107", "510108", "510112", "510113", "510114", "510115", "510116"]
HOSPITAL_CODES = [f"H{i:05d}" for i in range(HOSPITALS)]
REGION_OF = {h: (CQ_COUNTIES[i % len(CQ_COUNTIES)] if i % 10 < 7 else SC_DISTRICTS[i % len(SC_DISTRICTS)])
             for i, h in enumerate(HOSPITAL_CODES)}
COMPANY_CODES = [f"91500000MA{i:08d}" for i in range(COMPANIES)]
PRODUCT_IDS = list(range(1001, 1001 + PRODUCTS))
COMPANY_OF = {p: COMPANY_CODES[p % COMPANIES] for p in PRODUCT_IDS}
PRICE_OF = {p: 500 + (p * 7919) % 20_000 for p in PRODUCT_IDS}

LINE_COLUMNS = ["delivery_id", "line_no", "hospital_code", "batch_code", "agreement_year", "manufacturer_code",
                "product_id", "quantity", "unit_price_fen", "accepted_on", "as_of"]
RECORDED = datetime(2025, 1, 2, tzinfo=timezone.utc)  # the as_of of every loaded line: no roll-up reads it
RETURN_COLUMNS = ["delivery_id", "line_no", "quantity", "returned_on"]

# migration 0011's backfill: the sums the consumer adds one event batch at a time, done at once
_MIGRATION = importlib.util.spec_from_file_location(
    "monitoring_0011", Path(__file__).resolve().parent.parent / "services/monitoring/migrations/versions/0011_monthly_report.py")
_0011 = importlib.util.module_from_spec(_MIGRATION)
_MIGRATION.loader.exec_module(_0011)
AGGREGATE_ACCEPTED, AGGREGATE_RETURNED = _0011.BACKFILL_ACCEPTED, _0011.BACKFILL_RETURNED
SUPPLY_FROM_PURCHASES = """
        INSERT INTO monthly_supply (month, batch_code, hospital_code, product_id, manufacturer_code,
                                    ordered_quantity, confirmed_quantity, declined_quantity, delivered_quantity)
        SELECT month, batch_code, hospital_code, product_id, manufacturer_code,
               accepted_quantity, accepted_quantity, 0, accepted_quantity
        FROM monthly_purchases WHERE accepted_quantity > 0"""
TOUCHED = ["accepted_lines", "line_returns", "monthly_purchases", "monthly_supply"]
FIXED = ["invoice_facts", "payment_facts", "prepayment_plan_facts", "disbursement_facts", "late_tranches",
         "fund_payable_facts", "offset_facts", "alerts", "baseline_prices", "product_view", "institution_view"]


async def raw_connection(database_url: str) -> asyncpg.Connection:
    url = make_url(database_url)
    return await asyncpg.connect(user=url.username, password=url.password, host=url.query.get("host", url.host),
                                 port=url.port, database=url.database)


async def setup(sessions, db: asyncpg.Connection) -> None:
    """The batch, hospitals, products and baselines, and the facts whose number does not
    follow the lines."""
    now = datetime.now(timezone.utc)
    async with sessions() as session, session.begin():
        session.add(BatchView(code=BATCH, name="bench", kind="consumable", starts_on=date(2025, 1, 1),
                              ends_on=date(2026, 12, 31), ended_early_on=None,
                              policy=policy_from_preset("chongqing-2025"), groups=[], as_of=now))
        await session.execute(insert(InstitutionView), [
            dict(code=h, name=f"医院{h}", level=2 + i % 2, kind="public", region_code=REGION_OF[h],
                 fund=fund_for_level(2 + i % 2), as_of=now) for i, h in enumerate(HOSPITAL_CODES)])
        await session.execute(insert(ProductView), [
            dict(product_id=p, batch_code=BATCH, group_code=f"G{p % 40}", registration_no=f"国械注准{p}",
                 spec=f"{p % 7 + 1} mm", name=f"P{p}", applicant_credit_code=COMPANY_OF[p], winning=True,
                 service_price_fen=0, winning_price_fen=PRICE_OF[p], status="listed", as_of=now)
            for p in PRODUCT_IDS])
        await session.execute(insert(BaselinePrice), [
            dict(product_id=p, baseline_price_fen=PRICE_OF[p] * 13 // 10, set_by="bench")
            for p in PRODUCT_IDS if p % 2 == 0])
    rnd = random.Random(7)
    invoices, payments, fund_payables, offsets, alerts = [], [], [], [], []
    for m in range(1, 13):
        submitted = date(2025, m, 10)
        for plan_id, h in enumerate(HOSPITAL_CODES, 1):
            for c in COMPANY_CODES:
                invoice_id = len(invoices) + 1
                due = submitted + timedelta(days=30)
                late = invoice_id % 5 == 0
                amount = rnd.randrange(10_000, 5_000_000)
                invoices.append((invoice_id, h, c, amount, due, invoice_id % 50 != 0,
                                 due + timedelta(days=1) if late else None, submitted))
                payments.append((invoice_id, invoice_id, amount, due + timedelta(days=10 if late else -5), False))
            payable_id = len(fund_payables) + 1
            last = date(2025, m, calendar.monthrange(2025, m)[1])
            fund_payables.append((payable_id, h, "employee", date(2025, m, 1), last + timedelta(days=10),
                                  rnd.randrange(100_000, 1_000_000), True))
            offsets.append((payable_id, plan_id, BATCH, h, date(2025, m, 1),
                            rnd.randrange(10_000, 50_000)))
        for i, h in enumerate(HOSPITAL_CODES):
            if i % 10 == m % 10:
                alerts.append(("overdue_invoices", "MON-4", f"2025-{m:02d}", BATCH, h, REGION_OF[h],
                               date(2025, m, 28) + timedelta(days=5), "{}"))
    announced = datetime(2025, 1, 2, tzinfo=timezone.utc)
    plans = [(i + 1, BATCH, h, "employee", 2_000_000, date(2025, 1, 15), announced)
             for i, h in enumerate(HOSPITAL_CODES)]
    disbursed = [(i + 1, h, BATCH, 1_500_000, date(2025, 1, 10)) for i, h in enumerate(HOSPITAL_CODES)]
    late = [(i + 1, 2, h, BATCH, date(2025, 4, 15), date(2025, 4, 16), 500_000)
            for i, h in enumerate(HOSPITAL_CODES[:50])]
    async with db.transaction():
        for table, columns, records in (
                ("invoice_facts", ["invoice_id", "hospital_code", "company_code", "amount_fen", "due_on", "live",
                                   "overdue_on", "submitted_on"], invoices),
                ("payment_facts", ["payment_id", "invoice_id", "amount_fen", "paid_on", "reversed"], payments),
                ("prepayment_plan_facts", ["plan_id", "batch_code", "hospital_code", "fund", "total_fen",
                                           "first_due_on", "as_of"], plans),
                ("disbursement_facts", ["disbursement_id", "hospital_code", "batch_code", "amount_fen", "on"],
                 disbursed),
                ("late_tranches", ["plan_id", "tranche", "hospital_code", "batch_code", "due_on", "late_on",
                                   "undisbursed_fen"], late),
                ("fund_payable_facts", ["payable_id", "hospital_code", "fund", "month", "paid_on", "net_fen",
                                        "live"], fund_payables),
                ("offset_facts", ["payable_id", "plan_id", "batch_code", "hospital_code", "month", "amount_fen"],
                 offsets)):
            await db.copy_records_to_table(table, records=records, columns=columns)
        await db.executemany("INSERT INTO alerts (kind, rule, period, batch_code, hospital_code, region_code, "
                             "raised_on, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)", alerts)
    await db.execute("VACUUM (ANALYZE) " + ", ".join(FIXED))


def lines(first: int, count: int, rnd: random.Random):
    """Accepted lines ``first`` … ``first + count - 1`` and their returns, in chunks; each
    delivery is one hospital's, its lines of random products on one random day of 2025."""
    days = [date(2025, 1, 1) + timedelta(days=d) for d in range(365)]
    items = [(p, COMPANY_OF[p], PRICE_OF[p]) for p in PRODUCT_IDS]
    draw = rnd.random
    week = timedelta(days=7)
    end = first + count
    for start in range(first, end, CHUNK):
        records, returns = [], []
        hospital = day = None
        for k in range(start, min(start + CHUNK, end)):
            delivery_id, line_no = divmod(k, LINES_PER_DELIVERY)
            if line_no == 0 or hospital is None:
                hospital = HOSPITAL_CODES[int(draw() * HOSPITALS)]
                day = days[int(draw() * 365)]
            product, company, price = items[int(draw() * PRODUCTS)]
            records.append((delivery_id + 1, line_no + 1, hospital, BATCH, 1, company, product,
                            1 + int(draw() * 50), price, day, RECORDED))
            if k % RETURN_EVERY == 0:
                returns.append((delivery_id + 1, line_no + 1, 1, day + week))
        yield records, returns


async def load(db: asyncpg.Connection, first: int, count: int, rnd: random.Random) -> float:
    started = time.perf_counter()
    for records, returns in lines(first, count, rnd):
        async with db.transaction():
            await db.copy_records_to_table("accepted_lines", records=records, columns=LINE_COLUMNS)
            await db.copy_records_to_table("line_returns", records=returns, columns=RETURN_COLUMNS)
    return time.perf_counter() - started


async def aggregate(db: asyncpg.Connection) -> tuple[float, float]:
    """The month sums of migration 0011 (timed), then the supply rows and the vacuum (timed apart)."""
    started = time.perf_counter()
    async with db.transaction():
        await db.execute("TRUNCATE monthly_purchases")
        await db.execute(AGGREGATE_ACCEPTED)
        await db.execute(AGGREGATE_RETURNED)
    aggregated = time.perf_counter()
    async with db.transaction():
        await db.execute("TRUNCATE monthly_supply")
        await db.execute(SUPPLY_FROM_PURCHASES)
    await db.execute("VACUUM (ANALYZE) " + ", ".join(TOUCHED))
    await db.execute("CHECKPOINT")  # the writes settled, not flushed during the timing
    return aggregated - started, time.perf_counter() - aggregated


async def report_once(sessions, principal: Principal, region_code: str | None) -> tuple[float, dict]:
    started = time.perf_counter()
    async with sessions() as session:
        found = await service.monthly_report(session, principal=principal, month=MONTH, region_code=region_code)
    return time.perf_counter() - started, found


async def timed_report(sessions, principal: Principal, region_code: str | None) -> tuple[float, dict]:
    """The median of ``RUNS`` runs after one warm-up."""
    _, found = await report_once(sessions, principal, region_code)
    times = [(await report_once(sessions, principal, region_code))[0] for _ in range(RUNS)]
    return statistics.median(times), found


class Breakdown:
    """Each of the report's calls and each SQL statement timed, for one run (the service is
    untouched: its modules' functions are wrapped here and put back after)."""

    CALLS = [(report_repository, "purchases"), (report_repository, "supply"), (report_repository, "payments"),
             (report_repository, "prepayments"), (report_repository, "alerts"),
             (catalog_repository, "products_by_id"), (registry_repository, "institution_regions")]

    def __init__(self, engine):
        self.engine = engine
        self.calls: dict[str, float] = defaultdict(float)
        self.statements: list[tuple[float, str, object]] = []
        self._started: list[float] = []
        self._saved = []

    def _wrap(self, module, name):
        original = getattr(module, name)

        async def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self.calls[f"{module.__name__.rsplit('.', 2)[-2]}.{name}"] += time.perf_counter() - started
        self._saved.append((module, name, original))
        setattr(module, name, timed)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._started.append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append((time.perf_counter() - self._started.pop(), statement, parameters))

    def __enter__(self):
        for module, name in self.CALLS:
            self._wrap(module, name)
        event.listen(self.engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(self.engine.sync_engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine.sync_engine, "before_cursor_execute", self._before)
        event.remove(self.engine.sync_engine, "after_cursor_execute", self._after)
        for module, name, original in reversed(self._saved):
            setattr(module, name, original)


def literal(value) -> str:
    """A bound value as SQL, for EXECUTE of a prepared statement."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "ARRAY[" + ", ".join(literal(v) for v in value) + "]"
    return "'" + str(value).replace("'", "''") + "'"


async def explain_both(db: asyncpg.Connection, statement: str, parameters) -> None:
    """EXPLAIN ANALYZE of a statement as the service sends it (a prepared statement with bound
    parameters), planned for these values (custom) and for any values (generic)."""
    await db.execute(f"PREPARE bench_explained AS {statement}")
    try:
        arguments = ", ".join(literal(v) for v in parameters or ())
        for mode in ("force_custom_plan", "force_generic_plan"):
            await db.execute(f"SET plan_cache_mode = {mode}")
            plan = await db.fetch("EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_explained"
                                  + (f"({arguments})" if arguments else ""))
            print(f"      -- {mode}")
            print("\n".join("      " + row[0][:200] for row in plan))
    finally:
        await db.execute("DEALLOCATE bench_explained; RESET plan_cache_mode")


async def breakdown(engine, sessions, db: asyncpg.Connection, principal: Principal, region_code: str | None,
                    label: str, explain: bool) -> None:
    """One run timed call by call, on a connection that ran the report ``RUNS + 1`` times
    before, as a pooled connection of the service does once it has answered a few reports
    (PostgreSQL's ``plan_cache_mode = auto`` may then use generic plans)."""
    for _ in range(RUNS + 1):
        await report_once(sessions, principal, region_code)
    with Breakdown(engine) as seen:
        total, found = await report_once(sessions, principal, region_code)
    started = time.perf_counter()
    body = MonthlyReport.of(found).model_dump_json()
    answer = time.perf_counter() - started
    calls = ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in
                      sorted(seen.calls.items(), key=lambda kv: -kv[1]))
    print(f"  {label}: {total * 1000:.0f} ms in all; {calls}; "
          f"{len(seen.statements)} statements, {sum(s for s, _, _ in seen.statements) * 1000:.0f} ms in the database "
          f"driver; the JSON answer ({len(body) / 1e3:.0f} kB) {answer * 1000:.0f} ms more")
    slowest = sorted(seen.statements, key=lambda s: -s[0])[:2]
    for seconds, statement, parameters in slowest:
        print(f"    {seconds * 1000:6.1f} ms  {' '.join(statement.split())[:160]}")
        if explain:
            await explain_both(db, statement, parameters)


def plan_engine(database_url: str, mode: str):
    return create_async_engine(database_url, connect_args={"server_settings": {"plan_cache_mode": mode}})


async def main(sizes: list[int], database_url: str | None, explain: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        server = None
        if database_url is None:
            server = EmbeddedPostgres(Path(folder) / "pg")
            uri = server.start()
            await ensure_databases(uri, ["bench_monitoring"])
            database_url = server_url_to_async(uri, "bench_monitoring")
        try:
            await asyncio.to_thread(upgrade_to_head, MIGRATIONS, database_url)
            engine = create_async_engine(database_url)  # as the service's: plan_cache_mode auto
            sessions = create_sessionmaker(engine)
            engines = {mode: plan_engine(database_url, f"force_{mode}_plan") for mode in ("custom", "generic")}
            planned = {mode: create_sessionmaker(e) for mode, e in engines.items()}
            db = await raw_connection(database_url)
            started = time.perf_counter()
            await setup(sessions, db)
            print(f"setup: {HOSPITALS} hospitals ({sum(r.startswith('50') for r in REGION_OF.values())} under "
                  f"500000), {PRODUCTS} products of {COMPANIES} companies, {PRODUCTS // 2} baselines, "
                  f"{HOSPITALS * COMPANIES * 12:,} invoices and payments, {HOSPITALS * 12:,} fund payables with "
                  f"offsets, {HOSPITALS} plans in {time.perf_counter() - started:.1f} s")
            print(f"server: {await db.fetchval('SHOW server_version')}, shared_buffers "
                  f"{await db.fetchval('SHOW shared_buffers')}, work_mem {await db.fetchval('SHOW work_mem')}")
            rnd = random.Random(2025)
            loaded, results = 0, []
            chongqing = [h for h, r in REGION_OF.items() if r.startswith("50")]
            timings = [(layout, mode, who) for layout in ("as aggregated", "clustered") for mode in planned
                       for who in ("all", "region")]
            print(f"{'lines':>11s} {'load':>8s} {'lines/s':>8s} {'aggregate':>9s} {'supply+vac':>10s} "
                  f"{'table rows':>10s} {'month rows':>10s} {'in region':>9s} | report, median of {RUNS} (ms): "
                  f"{'  '.join(f'{mode}/{who}' for _, mode, who in timings[:4])}")
            for size in sizes:
                load_s = await load(db, loaded, size - loaded, rnd)
                added, loaded = size - loaded, size
                aggregate_s, after_s = await aggregate(db)
                table_rows = await db.fetchval("SELECT count(*) FROM monthly_purchases")
                month_rows = await db.fetchval("SELECT count(*) FROM monthly_purchases WHERE month = $1", MONTH)
                in_region = await db.fetchval("SELECT count(*) FROM monthly_purchases WHERE month = $1 "
                                              "AND hospital_code = ANY($2)", MONTH, chongqing)
                print(f"{size:>11,d} {load_s:7.1f}s {added / load_s:8,.0f} {aggregate_s:8.1f}s {after_s:9.1f}s "
                      f"{table_rows:>10,d} {month_rows:>10,d} {in_region:>9,d}   (load average "
                      f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)", flush=True)
                measured = {}
                for layout in ("as aggregated", "clustered"):
                    if layout == "clustered":
                        # Each month's rows together, as when the events arrive month by month (the
                        # INSERT … SELECT writes its groups in hash order: every page holds every month).
                        await db.execute("CLUSTER monthly_purchases USING pk_monthly_purchases")
                        await db.execute("CLUSTER monthly_supply USING pk_monthly_supply")
                        await db.execute("VACUUM (ANALYZE) monthly_purchases, monthly_supply")
                        await db.execute("CHECKPOINT")
                    for mode, maker in planned.items():
                        for who, principal, region_code in (("all", ADMIN, None), ("region", CHONGQING, "500000")):
                            seconds, found = await timed_report(maker, principal, region_code)
                            assert found["hospitals"] == (None if region_code is None else len(chongqing))
                            assert len(found["purchases"]) == PRODUCTS, len(found["purchases"])
                            measured[layout, mode, who] = seconds
                    print(f"{'':>11s} {layout:>69s} | " + "  ".join(
                        f"{measured[layout, mode, who] * 1000:>{len(mode) + len(who) + 1}.0f}"
                        for mode in planned for who in ("all", "region"))
                          + f"   (load average {os.getloadavg()[0]:.1f})", flush=True)
                    if size == sizes[-1]:
                        print(f"where the time goes at {size:,} lines, {layout}, service's connection settings:")
                        await breakdown(engine, sessions, db, ADMIN, None, "all", explain)
                        await breakdown(engine, sessions, db, CHONGQING, "500000", "region 500000", explain)
                results.append((size, month_rows, measured))
            (small, small_rows, first), (large, large_rows, last) = results[0], results[-1]
            print(f"ratio report({large:,})/report({small:,}) (lines ×{large / small:.1f}, the month's rows "
                  f"×{large_rows / small_rows:.1f}): " + ", ".join(
                      f"{layout} {mode}/{who} {last[layout, mode, who] / first[layout, mode, who]:.2f}"
                      for layout, mode, who in timings))
            await db.close()
            for e in (engine, *engines.values()):
                await e.dispose()
        finally:
            if server is not None:
                server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,3000000,10000000",
                        help="cumulative numbers of accepted lines, comma-separated")
    parser.add_argument("--database-url", default=None, help="an existing empty database (asyncpg URL)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the two slowest statements")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    asyncio.run(main(sorted(int(s) for s in args.sizes.split(",")), args.database_url, args.explain))
