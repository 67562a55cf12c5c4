"""Issue 8 "Measured": a month's money — posting 10,000 monthly fund payables (SET-4) for
hospitals that all hold prepayments, offsets computed and written to the ledger.

Starts an embedded PostgreSQL in a temporary folder (or uses ``--database-url``), migrates a
settlement database, and sets up ``--rows`` hospitals, each with a disbursed chongqing-2025
prepayment plan of a batch whose cycle has ended (so every payable offsets). The setup is
written in bulk, straight to the tables. Then it times what ``POST /settlement/fund-payables``
does past the HTTP layer: the body validated (pydantic), the post split and written in one
transaction (ledger included, committed), and the result serialised. A second post of the
same month with every amount changed measures corrections (reverse + apply again).

    .venv/bin/python bench/settlement_payables.py --rows 10000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

import httpx
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import create_async_engine

from vbp_settlement.fund_payables import service
from vbp_settlement.fund_payables.schemas import PayablePost
from vbp_settlement.ledger import accounts
from vbp_settlement.ledger.service import Movement, Posting, move_many
from vbp_settlement.main import MIGRATIONS, create_app
from vbp_settlement.prepayments.models import Disbursement, PrepaymentPlan, PrepaymentTranche
from vbp_settlement.settings import SettlementSettings
from vbpkit.web import identity
from vbpkit.web import request_id
from vbpkit.db.engine import create_sessionmaker
from vbptools.embedded import EmbeddedPostgres, ensure_databases, server_url_to_async
from vbpkit.web.identity import Principal, Role
from vbpkit.db.migrations import upgrade_to_head
from vbpkit.domain.policy import policy_from_preset
from vbpkit.projections.catalog_view.models import BatchView
from vbpkit.projections.registry.models import InstitutionView

INSURER = Principal(role=Role.INSURER, key_id="bench")
TOTAL_FEN = 1_000_000  # 10,000.00 yuan prepaid to each hospital


async def setup(sessions, rows: int) -> list[str]:
    now = datetime.now(timezone.utc)
    hospitals = [f"H{i:08d}" for i in range(rows)]
    async with sessions() as session, session.begin():
        session.add(BatchView(code="BENCH", name="bench", kind="consumable", starts_on=date(2024, 1, 1),
                              ended_early_on=None, ends_on=date(2025, 12, 31), policy=policy_from_preset("chongqing-2025"),
                              groups=[], as_of=now))
        await session.execute(insert(InstitutionView), [dict(code=h, name=h, level=2, kind="public",
                                                             region_code="500103", fund="employee", as_of=now)
                                                        for h in hospitals])
        plan_ids = list(await session.scalars(insert(PrepaymentPlan).returning(PrepaymentPlan.id,
                                                                                sort_by_parameter_order=True), [
            dict(batch_code="BENCH", hospital_code=h, prepaid_year=1, fund="employee", ratio=1, base_fen=TOTAL_FEN,
                 computed_total_fen=TOTAL_FEN, total_fen=TOTAL_FEN, explain={}) for h in hospitals]))
        tranche_ids = list(await session.scalars(insert(PrepaymentTranche).returning(
            PrepaymentTranche.id, sort_by_parameter_order=True), [
            dict(plan_id=p, number=1, kind="scheduled", share=1, amount_fen=TOTAL_FEN, due_on=date(2024, 2, 29),
                 explain={}) for p in plan_ids]))
        recorded = await move_many(session, [
            Movement("request", f"bench-disburse-{h}", "bench disbursement", "bench",
                     [Posting(accounts.fund("employee"), accounts.hospital_prepayment(h), TOTAL_FEN)])
            for h in hospitals])
        await session.execute(insert(Disbursement), [
            dict(tranche_id=t, transaction_id=r.transaction_id, disbursed_on=date(2024, 2, 1), recorded_by="bench")
            for t, r in zip(tranche_ids, recorded, strict=True)])
    return hospitals


async def timed_post(sessions, hospitals: list[str], amount: str, label: str) -> float:
    body = {"rows": [{"hospital_code": h, "fund": "employee", "month": "2026-01", "amount": amount,
                      "paid_on": "2026-02-10"} for h in hospitals]}
    request_id.current.set(f"bench-{label}")
    started = time.perf_counter()
    request = PayablePost.model_validate(body)
    parsed = time.perf_counter()
    async with sessions() as session:
        async with session.begin():
            result = await service.post(session, request, principal=INSURER, today=date(2026, 2, 10))
            posted = time.perf_counter()
        committed = time.perf_counter()
    result.model_dump_json()
    seconds = time.perf_counter() - started
    phases = (f"parse {parsed - started:.3f} s, post {posted - parsed:.3f} s, commit {committed - posted:.3f} s, "
              f"answer {started + seconds - committed:.3f} s")
    statuses = {s: getattr(result, s) for s in ("posted", "corrected", "unchanged", "rejected")}
    offsets = {r.offset for r in result.rows}
    print(f"{label:12s} {len(hospitals):6d} rows in {seconds:6.3f} s = {len(hospitals) / seconds:8.0f} rows/s   "
          f"({phases})   {statuses}   offsets per row {sorted(offsets)}")
    return seconds


async def timed_http_post(app, hospitals: list[str], amount: str, label: str) -> float:
    """The same post through the service's HTTP app: signature check, Idempotency-Key,
    validation, the post, the response — all but the network and the gateway."""
    body = json.dumps({"rows": [{"hospital_code": h, "fund": "employee", "month": "2026-02", "amount": amount,
                                 "paid_on": "2026-03-10"} for h in hospitals]})
    headers = {"Content-Type": "application/json", "Idempotency-Key": f"bench-{label}", **identity.sign(
        INSURER, key=KEY.encode(), method="POST", service="settlement", path="/fund-payables", query="",
        body=body.encode())}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://settlement") as client:
        started = time.perf_counter()
        response = await client.post("/fund-payables", content=body, headers=headers, timeout=120)
        seconds = time.perf_counter() - started
    assert response.status_code == 200, response.text[:500]
    result = response.json()
    print(f"{label:12s} {len(hospitals):6d} rows in {seconds:6.3f} s = {len(hospitals) / seconds:8.0f} rows/s   "
          f"(through the service's HTTP app; {len(response.content) / 1e6:.1f} MB answered)   "
          f"posted {result['posted']}, corrected {result['corrected']}")
    return seconds


KEY = "bench-identity-key-0123456789abcdef"


async def main(rows: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        server = None
        if database_url is None:
            server = EmbeddedPostgres(Path(folder) / "pg")
            uri = server.start()
            await ensure_databases(uri, ["bench_settlement"])
            database_url = server_url_to_async(uri, "bench_settlement")
        try:
            await asyncio.to_thread(upgrade_to_head, MIGRATIONS, database_url)
            engine = create_async_engine(database_url)
            sessions = create_sessionmaker(engine)
            started = time.perf_counter()
            hospitals = await setup(sessions, rows)
            print(f"setup: {rows} hospitals with disbursed plans in {time.perf_counter() - started:.1f} s")
            await timed_post(sessions, hospitals, "3000.00", "post")  # offset 3,000.00 of 10,000.00 each
            await timed_post(sessions, hospitals, "4000.00", "correction")  # reverse, offset 4,000.00 each
            await timed_post(sessions, hospitals, "4000.00", "repost")  # unchanged
            await engine.dispose()
            logging.disable(logging.WARNING)  # the app's relay finds no broker here; it says so every second
            app = create_app(SettlementSettings(database_url=database_url, kafka_bootstrap_servers="127.0.0.1:9",
                                                identity_key=KEY, consumers_enabled=False,
                                                overdue_check_seconds=3600))
            async with app.router.lifespan_context(app):
                await timed_http_post(app, hospitals, "2500.00", "http post")  # 2026-02: offsets 2,500.00
                await timed_http_post(app, hospitals, "2600.00", "http corr.")
        finally:
            if server is not None:
                server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="an existing empty database (asyncpg URL)")
    args = parser.parse_args()
    asyncio.run(main(args.rows, args.database_url))
