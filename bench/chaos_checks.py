"""What ``bench/chaos.py`` checks once the platform has settled: nothing lost, nothing doubled, the
read models equal to their sources, every ledger balanced. Each check reads the services' own
databases; each returns the problems it found (an empty list: it held) and prints its figures."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import asyncpg
from sqlalchemy.engine import make_url
from vbpkit.runtime.topology import SERVICES

if TYPE_CHECKING:
    from chaos import Workload
    from vbptools.launcher import Platform

# kind of write → (service, table) it adds one row to, by the id its answer carries
DOCUMENTS = {
    "order": ("contracts", "orders"),
    "delivery": ("contracts", "deliveries"),
    "return": ("contracts", "returns"),
    "invoice": ("settlement", "invoices"),
    "payment": ("settlement", "payments"),
    "disbursement": ("settlement", "prepayment_disbursements"),
    "fund payable": ("settlement", "fund_payables"),
}

# a read model's rows and the source rows they copy: (label, service, SQL) pairs that must agree
READ_MODELS = [
    ("accepted lines", [
        ("contracts", "SELECT count(*) FROM delivery_lines WHERE accepted_quantity > 0"),
        ("settlement", "SELECT count(*) FROM accepted_lines"),
        ("monitoring", "SELECT count(*) FROM accepted_lines")]),
    ("accepted units", [
        ("contracts", "SELECT coalesce(sum(accepted_quantity), 0) FROM delivery_lines"),
        ("settlement", "SELECT coalesce(sum(quantity), 0) FROM accepted_lines"),
        ("monitoring", "SELECT coalesce(sum(quantity), 0) FROM accepted_lines")]),
    ("returned units", [
        ("contracts", "SELECT coalesce(sum(returned_quantity), 0) FROM delivery_lines"),
        ("settlement", "SELECT coalesce(sum(quantity), 0) FROM line_returns"),
        ("monitoring", "SELECT coalesce(sum(quantity), 0) FROM line_returns")]),
    ("returns", [
        ("contracts", "SELECT count(*) FROM returns"),
        ("settlement", "SELECT count(*) FROM line_returns"),
        ("monitoring", "SELECT count(*) FROM line_returns")]),
    ("order lines confirmed", [
        ("contracts", "SELECT count(*) FROM order_lines WHERE status <> 'pending'"),
        ("monitoring", "SELECT count(*) FROM supply_lines")]),
    ("invoices", [
        ("settlement", "SELECT count(*) FROM invoices"),
        ("monitoring", "SELECT count(*) FROM invoice_facts")]),
    ("payments", [
        ("settlement", "SELECT count(*) FROM payments"),
        ("monitoring", "SELECT count(*) FROM payment_facts")]),
    ("disbursements", [
        ("settlement", "SELECT count(*) FROM prepayment_disbursements"),
        ("monitoring", "SELECT count(*) FROM disbursement_facts")]),
    ("fund payable versions", [
        ("settlement", "SELECT count(*) FROM fund_payables"),
        ("monitoring", "SELECT count(*) FROM fund_payable_facts")]),
]

BALANCES = """
    SELECT address, overdraft_allowed,
           coalesce((SELECT sum(amount_fen) FROM ledger_postings WHERE destination = address), 0)
         - coalesce((SELECT sum(amount_fen) FROM ledger_postings WHERE source = address), 0) AS balance
    FROM ledger_accounts"""
PAID_NOT_REVERSED = """
    SELECT i.company_code, coalesce(sum(p.amount_fen), 0) AS paid
    FROM payments p JOIN invoices i ON i.id = p.invoice_id
    WHERE NOT EXISTS (SELECT 1 FROM payment_reversals r WHERE r.payment_id = p.id)
    GROUP BY i.company_code"""
ACCEPTED_INVOICED = "SELECT company_code, sum(amount_fen) AS amount FROM invoices WHERE status = 'accepted' GROUP BY 1"
DISBURSED = """
    SELECT pl.hospital_code,
           sum(CASE WHEN d.reverses_id IS NULL THEN 1 ELSE -1 END
               * (SELECT sum(amount_fen) FROM ledger_postings lp WHERE lp.transaction_id = d.transaction_id)) AS net
    FROM prepayment_disbursements d JOIN prepayment_tranches t ON t.id = d.tranche_id
         JOIN prepayment_plans pl ON pl.id = t.plan_id
    GROUP BY 1"""
LIVE_OFFSETS = """
    SELECT f.hospital_code, sum(lp.amount_fen) AS offset
    FROM prepayment_offsets o JOIN fund_payables f ON f.id = o.payable_id
         JOIN ledger_postings lp ON lp.id = o.posting_id
    WHERE f.status = 'live' GROUP BY 1"""
OVER_DISBURSED_TRANCHES = """
    SELECT t.plan_id, t.number, t.amount_fen, sum(CASE WHEN d.reverses_id IS NULL THEN 1 ELSE -1 END
               * (SELECT sum(amount_fen) FROM ledger_postings lp WHERE lp.transaction_id = d.transaction_id)) AS disbursed
    FROM prepayment_tranches t JOIN prepayment_disbursements d ON d.tranche_id = t.id
    GROUP BY t.id HAVING sum(CASE WHEN d.reverses_id IS NULL THEN 1 ELSE -1 END
               * (SELECT sum(amount_fen) FROM ledger_postings lp WHERE lp.transaction_id = d.transaction_id)) > t.amount_fen"""
DOUBLED_OFFSETS = "SELECT payable_id, plan_id, count(*) FROM prepayment_offsets GROUP BY 1, 2 HAVING count(*) > 1"
OVERPAID_INVOICES = """
    SELECT i.id, i.amount_fen, sum(p.amount_fen) FROM invoices i JOIN payments p ON p.invoice_id = i.id
    WHERE NOT EXISTS (SELECT 1 FROM payment_reversals r WHERE r.payment_id = p.id)
    GROUP BY i.id HAVING sum(p.amount_fen) > i.amount_fen"""
SUPERSEDED_NOT_REVERSED = """
    SELECT count(*) FROM fund_payables WHERE status = 'superseded' AND transaction_id IS NOT NULL
    AND reversal_transaction_id IS NULL"""


async def connect(platform: Platform, service: str) -> asyncpg.Connection:
    url = make_url(platform.database_urls[service])
    return await asyncpg.connect(user=url.username, password=url.password, host=url.query.get("host", url.host),
                                 port=url.port, database=url.database)


async def baseline(platform: Platform) -> dict[str, int]:
    """The highest id of each document table before the run: the run's rows are those above."""
    highest = {}
    for service, table in set(DOCUMENTS.values()):
        connection = await connect(platform, service)
        try:
            highest[table] = await connection.fetchval(f"SELECT coalesce(max(id), 0) FROM {table}")
        finally:
            await connection.close()
    return highest


async def everything(platform: Platform, workload: Workload, before: dict[str, int]) -> list[str]:
    connections = {name: await connect(platform, name) for name in SERVICES}
    try:
        problems = await documents(connections, workload, before)
        problems += await effects(connections, workload)
        problems += await read_models(connections)
        problems += await inboxes(connections, platform)
        problems += await ledger(connections, workload)
        return problems
    finally:
        for connection in connections.values():
            await connection.close()


async def documents(db: dict, workload: Workload, before: dict[str, int]) -> list[str]:
    """lost: an acknowledged id missing; doubled: more rows than acknowledged writes."""
    problems, lost, doubled = [], 0, 0
    print("\nacknowledged writes and what is stored:")
    for kind, (service, table) in DOCUMENTS.items():
        ids = workload.ids[kind]
        present = await db[service].fetchval(f"SELECT count(*) FROM {table} WHERE id = ANY($1::bigint[])", ids)
        new = await db[service].fetchval(f"SELECT count(*) FROM {table} WHERE id > $1", before[table])
        missing, extra = len(set(ids)) - present, new - len(ids)
        lost, doubled = lost + max(missing, 0), doubled + max(extra, 0)
        print(f"  {kind:<13} acknowledged {len(ids):>7,}  stored {present:>7,}  new rows {new:>7,}")
        if missing:
            problems.append(f"{kind}: {missing} acknowledged but not stored")
        if extra or len(set(ids)) != len(ids):
            problems.append(f"{kind}: {new} rows for {len(ids)} acknowledged writes ({len(set(ids))} distinct ids)")
    print(f"  lost {lost}, doubled {doubled}")
    return problems


async def effects(db: dict, workload: Workload) -> list[str]:
    """Confirmations and acceptances change lines: every acknowledged one shows."""
    problems = []
    orders, lines = zip(*workload.confirmed_lines) if workload.confirmed_lines else ((), ())
    pending = await db["contracts"].fetchval(
        "SELECT count(*) FROM order_lines l JOIN unnest($1::bigint[], $2::int[]) AS c(order_id, line_no) "
        "USING (order_id, line_no) WHERE l.status = 'pending'", list(orders), list(lines))
    deliveries, numbers, quantities = zip(*workload.accepted_lines) if workload.accepted_lines else ((), (), ())
    wrong = await db["contracts"].fetchval(
        "SELECT count(*) FROM unnest($1::bigint[], $2::int[], $3::int[]) AS a(delivery_id, line_no, quantity) "
        "LEFT JOIN delivery_lines l USING (delivery_id, line_no) "
        "WHERE l.accepted_quantity IS DISTINCT FROM a.quantity", list(deliveries), list(numbers), list(quantities))
    print(f"  confirmed lines {len(orders):,}: still pending {pending}; accepted lines {len(deliveries):,}: "
          f"accepted quantity not as acknowledged {wrong}")
    if pending:
        problems.append(f"{pending} acknowledged confirmations not on their lines")
    if wrong:
        problems.append(f"{wrong} acknowledged acceptances not on their lines")
    return problems


async def read_models(db: dict) -> list[str]:
    problems = []
    print("\nread models against their sources:")
    for label, queries in READ_MODELS:
        counts = [(service, await db[service].fetchval(sql)) for service, sql in queries]
        print(f"  {label:<22} " + "   ".join(f"{service} {count:,}" for service, count in counts))
        if len({count for _, count in counts}) > 1:
            problems.append(f"{label}: " + ", ".join(f"{service} {count}" for service, count in counts))
    return problems


def handled_types(platform: Platform, service: str) -> set[str]:
    """The event types a service's consumer has handlers for — its inbox records those alone.
    Read from the service's own app, built (not started) as the launcher builds it."""
    main = importlib.import_module(f"vbp_{service}.main")
    settings = getattr(importlib.import_module(f"vbp_{service}.settings"), f"{service.capitalize()}Settings")
    app = main.create_app(settings(database_url=platform.database_urls[service], kafka_bootstrap_servers="unused:9092",
                                   identity_key=platform.identity_key, log_level="WARNING"))
    return set(app.state.runtime.handlers)


async def inboxes(db: dict, platform: Platform) -> list[str]:
    """Each consumer handled exactly the events it has handlers for, from the outboxes of the
    topics it consumes: its inbox's event ids are those outbox rows' ids, none missing and none
    extra (an inbox id is a primary key, so a double would be an extra effect, which the document
    and read-model counts above would show).

    The platform goes on after it settled (settlement's overdue and late checks, monitoring's
    alert checks publish on their own), so the inboxes are read first and the outboxes after:
    every handled event is then in an outbox read, and an event created after the inboxes were
    read is not expected in them yet."""
    problems = []
    read_at = await next(iter(db.values())).fetchval("SELECT clock_timestamp()")
    handled_by, parked_by = {}, {}
    for consumer, connection in db.items():
        handled_by[consumer] = {r[0] for r in await connection.fetch("SELECT event_id FROM processed_events")}
        parked_by[consumer] = await connection.fetchval("SELECT count(*) FROM parked_events")
    published = []
    for producer, connection in db.items():
        published += [(r["event_id"], r["type"], r["created_at"] < read_at)
                      for r in await connection.fetch("SELECT event_id, type, created_at FROM outbox")]
        unpublished = await connection.fetchval(
            "SELECT count(*) FROM outbox WHERE published_at IS NULL AND created_at < $1", read_at)
        if unpublished:
            problems.append(f"{producer}: {unpublished} outbox rows never published")
    print("\nevents: outbox → inbox")
    for consumer in db:
        types = handled_types(platform, consumer)
        handled, parked = handled_by[consumer], parked_by[consumer]
        expected = {event_id for event_id, kind, before_read in published if kind in types and before_read}
        every = {event_id for event_id, kind, _ in published if kind in types}
        missing, extra = len(expected - handled), len(handled - every)
        print(f"  {consumer:<11} handles {len(types)} event types: {len(expected):,} published, "
              f"{len(handled):,} handled, missing {missing}, unknown {extra}, parked {parked}")
        if missing or extra:
            problems.append(f"{consumer}: {missing} events never handled, {extra} handled that no outbox holds")
        if parked:
            problems.append(f"{consumer}: {parked} events parked")
    return problems


async def ledger(db: dict, workload: Workload) -> list[str]:
    settlement = db["settlement"]
    problems = []
    rows = await settlement.fetch(BALANCES)
    balance = {r["address"]: int(r["balance"]) for r in rows}
    total = sum(balance.values())
    negative = [f"{r['address']} {r['balance']}" for r in rows if not r["overdraft_allowed"] and r["balance"] < 0]
    offset_rows = await settlement.fetchval("SELECT count(*) FROM prepayment_offsets")
    print(f"\nledger: {len(rows)} accounts, Σ balances {total} fen, bounded accounts below zero {len(negative)}; "
          f"{offset_rows:,} prepayment offsets (live and reversed)")
    if total:
        problems.append(f"the ledger's accounts sum to {total} fen, not 0")
    if negative:
        problems.append("bounded accounts below zero: " + ", ".join(negative[:5]))

    paid = {r["company_code"]: int(r["paid"]) for r in await settlement.fetch(PAID_NOT_REVERSED)}
    invoiced = {r["company_code"]: int(r["amount"]) for r in await settlement.fetch(ACCEPTED_INVOICED)}
    for company in sorted(set(paid) | set(invoiced)):
        receivable = balance.get(f"company:{company}:receivable", 0)
        received = balance.get(f"company:{company}:received", 0)
        expected = workload.expected.get(f"invoiced {company}", 0)
        print(f"  company {company}: invoiced {invoiced.get(company, 0):,} fen (acknowledged {expected:,}), "
              f"paid {paid.get(company, 0):,}, receivable {receivable:,}, received {received:,}")
        if receivable != invoiced.get(company, 0) - paid.get(company, 0):
            problems.append(f"{company}: receivable {receivable} ≠ accepted invoices − payments "
                            f"{invoiced.get(company, 0) - paid.get(company, 0)}")
        if received != paid.get(company, 0):
            problems.append(f"{company}: received {received} ≠ payments {paid.get(company, 0)}")
        if invoiced.get(company, 0) != expected:
            problems.append(f"{company}: invoiced {invoiced.get(company, 0)} ≠ acknowledged {expected}")

    disbursed = {r["hospital_code"]: int(r["net"]) for r in await settlement.fetch(DISBURSED)}
    offsets = {r["hospital_code"]: int(r["offset"]) for r in await settlement.fetch(LIVE_OFFSETS)}
    settled = {r["hospital_code"]: int(r["amount"]) for r in await settlement.fetch(
        "SELECT hospital_code, sum(amount_fen) AS amount FROM fund_payables WHERE status = 'live' GROUP BY 1")}
    for hospital in sorted(set(disbursed) | set(offsets) | set(settled)):
        prepayment = balance.get(f"hospital:{hospital}:prepayment", 0)
        expected = disbursed.get(hospital, 0) - offsets.get(hospital, 0)
        print(f"  hospital {hospital}: disbursed {disbursed.get(hospital, 0):,} − live offsets "
              f"{offsets.get(hospital, 0):,} = prepayment {prepayment:,}; live payables {settled.get(hospital, 0):,} "
              f"= settled {balance.get(f'hospital:{hospital}:settled', 0):,}")
        if prepayment != expected:
            problems.append(f"{hospital}: prepayment {prepayment} ≠ disbursed − live offsets {expected}")
        if balance.get(f"hospital:{hospital}:settled", 0) != settled.get(hospital, 0):
            problems.append(f"{hospital}: settled {balance.get(f'hospital:{hospital}:settled', 0)} ≠ live payables "
                            f"{settled.get(hospital, 0)}")
    run_disbursed = await settlement.fetchval(
        "SELECT coalesce(sum(lp.amount_fen), 0) FROM prepayment_disbursements d "
        "JOIN ledger_postings lp ON lp.transaction_id = d.transaction_id WHERE d.id = ANY($1::bigint[])",
        workload.ids["disbursement"])
    if run_disbursed != 100 * len(workload.ids["disbursement"]):
        problems.append(f"the run's disbursements moved {run_disbursed} fen, acknowledged "
                        f"{100 * len(workload.ids['disbursement'])}")
    for label, sql in (("tranches disbursed beyond their amount", OVER_DISBURSED_TRANCHES),
                       ("offsets doubled (a plan offset twice by one payable version)", DOUBLED_OFFSETS),
                       ("invoices paid beyond their amount", OVERPAID_INVOICES)):
        found = await settlement.fetch(sql)
        print(f"  {label}: {len(found)}")
        if found:
            problems.append(f"{label}: {[tuple(r) for r in found[:5]]}")
    unreversed = await settlement.fetchval(SUPERSEDED_NOT_REVERSED)
    print(f"  superseded payable versions whose ledger movement was not reversed: {unreversed}")
    if unreversed:
        problems.append(f"{unreversed} superseded fund payables not reversed in the ledger")
    return problems
