"""DESIGN §7 / issue 13 item 4: the chaos benchmark — many mixed writes through the gateway while the
broker, a service, a consumer and PostgreSQL itself are killed with SIGKILL and brought back.

Starts the whole platform (embedded PostgreSQL and Tansu in a temporary folder, the launcher's
supervisor running as under ``make run``) on a frozen clock, sets up the demo story's market
(hospitals, companies, four batches with their products, year-1 agreements signed by all three
parties, so prepayment plans exist) and then runs ``--workers`` concurrent chains, each a
hospital's month in small: order → confirmation → delivery → acceptance → (sometimes) a return →
invoice → invoice acceptance → payment, and beside them the insurer's prepayment disbursements
and monthly fund payables (each a new version of the month: a correction, with its offsets
reversed and split again). Every write carries an ``Idempotency-Key`` and is retried with the same
key after a transport error, a 5xx or a 429 until it is acknowledged (a 500 is a fault of ours, so
the run reports it as broken); an invoice refused because
settlement has not yet heard of the acceptance (422) is retried too. An *operation* is one
acknowledged write.

At moments drawn at random from ``--seed`` (between 10 % and 85 % of the operations) it kills,
each once and in random order:

- **broker**: Tansu (memory only: it comes back empty, with a new cluster id, and the relays
  publish every outbox row again);
- **service**: contracts or settlement, with requests in flight; the launcher's supervisor
  starts it again;
- **consumer**: monitoring (a consumer and nothing else) while its consumer has a lag, so it
  dies inside a fetch; the supervisor starts it again;
- **postgres**: the postmaster and every backend; started again on the same data directory
  (crash recovery from the WAL).

Then it waits until every relay's backlog and every consumer's lag is 0, with no event awaiting
a fact that came late, and checks:

- **lost**: every acknowledged write is stored (orders, deliveries, returns, invoices, payments,
  disbursements, fund payable versions, by the ids the answers carried; confirmations and
  acceptances by their effect on the lines);
- **doubled**: each table holds exactly as many new rows as writes were acknowledged, each
  consumer's inbox holds exactly the events of the topics it consumes, and no tranche, offset or
  invoice was paid beyond its amount;
- **read models**: settlement's and monitoring's copies count what contracts and settlement hold;
- **ledgers**: the ledger's accounts sum to zero, no bounded account is negative, each company's
  receivable and received and each hospital's prepayment and settled balance equal what the
  documents behind them add up to.

It prints the kill schedule, the figures, and "lost 0, doubled 0, ledgers balanced" or what
broke (exit status 1).

    .venv/bin/python bench/chaos.py                       # 100,000 operations (≈ 40 min on 2 cores)
    .venv/bin/python bench/chaos.py --operations 5000    # a quick look
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import os
import random
import signal
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chaos_checks as verify  # noqa: E402

from vbptools.demo import story, world  # noqa: E402
from vbptools.embedded import free_port, free_port_block  # noqa: E402
from vbptools.launcher import Platform, PlatformSettings  # noqa: E402

TODAY = "2023-02-06"
PAYABLE_MONTH = "2023-02"  # this month: Chuxiong's offsets grow with the acceptances (seed 004)
# hospitals that buy in the chains, and the batches they agreed
BUYERS = ("H500101001", "H500101002", "H500101003", "H210200001", "H532301001", "H532301002")
PAYABLE_HOSPITALS = ("H500101001", "H500101002", "H532301001", "H532301002")
RETRYABLE = {429, 500, 502, 503, 504}


class BenchFailure(RuntimeError):
    pass


class Workload:
    """The writes, their acknowledgements and retries, and the ids their answers carried."""

    def __init__(self, platform: Platform, told: story.Story, rng: random.Random, run: str):
        self.platform, self.told, self.rng, self.run = platform, told, rng, run
        self.client = httpx.AsyncClient(base_url=platform.gateway_url, timeout=60,
                                        limits=httpx.Limits(max_connections=64, max_keepalive_connections=64))
        self.acknowledged: collections.Counter[str] = collections.Counter()
        self.retries: collections.Counter[str] = collections.Counter()
        self.statuses: collections.Counter[str] = collections.Counter()
        self.replayed = 0
        self.ids: dict[str, list[int]] = collections.defaultdict(list)
        self.expected: dict[str, int] = collections.Counter()   # fen and units the documents add up to
        self.accepted_lines: list[tuple[int, int, int]] = []     # (delivery id, line no, accepted quantity)
        self.confirmed_lines: list[tuple[int, int]] = []         # (order id, line no)
        self.numbers = itertools.count(1)
        self.failures: list[str] = []
        self.errors: list[str] = []  # each 500: what was called and what came back, to find in the logs
        self.tranches: list[dict] = []
        self.lines_by_hospital: dict[str, list[list[tuple[int, str]]]] = {}

    @property
    def done(self) -> int:
        return sum(self.acknowledged.values())

    async def prepare(self) -> None:
        """Which products each buyer orders together (one batch, one distributor), and the
        first tranche of every prepayment plan, which the insurer disburses a yuan at a time."""
        for hospital in BUYERS:
            groups = []
            for batch in world.BATCHES:
                items = [(self.told.products[(batch.code, index)], batch.items[index].price)
                         for (buyer, index) in batch.agreed if buyer == hospital]
                if items:
                    groups.append(items)
            self.lines_by_hospital[hospital] = groups
        for batch in world.BATCHES:
            plans = await self.told.call("insurer", "GET", "/settlement/prepayments", params={"batch_code": batch.code})
            for plan in plans["items"]:
                first = plan["tranches"][0]
                if Decimal(first["undisbursed"]) >= 1:
                    self.tranches.append({"plan": plan["id"], "tranche": first["number"],
                                          "left": int(Decimal(first["undisbursed"]))})

    async def write(self, kind: str, who: str, path: str, body: dict, *, not_yet: tuple[int, ...] = (),
                    give_up_seconds: float = 600) -> dict:
        """POST until acknowledged, always with the same Idempotency-Key."""
        key = f"chaos-{self.run}-{kind}-{next(self.numbers)}"
        headers = {"X-API-Key": self.told.keys[who], "Idempotency-Key": key}
        deadline = time.monotonic() + give_up_seconds
        last = ""
        for attempt in itertools.count():
            try:
                response = await self.client.post(path, json=body, headers=headers)
            except httpx.HTTPError as exc:
                self.statuses[type(exc).__name__] += 1
                last = f"{type(exc).__name__}: {exc}"
            else:
                self.statuses[str(response.status_code)] += 1
                if response.status_code == 500:
                    self.errors.append(f"{kind} POST {path} (request {response.headers.get('x-request-id')}): "
                                       f"{response.text[:300]}")
                if response.status_code < 300:
                    self.acknowledged[kind] += 1
                    self.replayed += response.headers.get("idempotent-replayed") == "true"
                    return response.json()
                if response.status_code not in RETRYABLE and response.status_code not in not_yet:
                    raise BenchFailure(f"{kind} {path}: {response.status_code} {response.text[:400]}")
                last = f"{response.status_code} {response.text[:200]}"
            if time.monotonic() > deadline:
                raise BenchFailure(f"{kind} {path}: not acknowledged in {give_up_seconds} s (last: {last})")
            self.retries[kind] += 1
            await asyncio.sleep(min(2.0, 0.1 * 2 ** attempt) * (0.5 + self.rng.random()))

    async def chain(self) -> None:
        """One order's way from the HIS to the bank, and one of the insurer's writes."""
        rng, n = self.rng, next(self.numbers)
        hospital = rng.choice(BUYERS)
        items = rng.choice(self.lines_by_hospital[hospital])
        chosen = rng.sample(items, k=rng.randint(1, len(items)))
        lines = [{"line_no": i + 1, "product_id": product, "quantity": rng.randint(1, 4), "unit_price": price}
                 for i, (product, price) in enumerate(chosen)]
        order = await self.write("order", hospital, "/contracts/orders",
                                 {"his_order_no": f"CHAOS-{self.run}-{n}", "lines": lines})
        self.ids["order"].append(order["id"])
        distributor = order["lines"][0]["distributor_code"]
        await self.write("confirmation", distributor, f"/contracts/orders/{order['id']}/confirmation", {
            "lines": [{"line_no": line["line_no"], "decision": "confirm"} for line in lines]})
        self.confirmed_lines += [(order["id"], line["line_no"]) for line in lines]
        delivery = await self.write("delivery", distributor, "/contracts/deliveries", {
            "order_id": order["id"], "delivered_on": TODAY,
            "lines": [{"line_no": line["line_no"], "quantity": line["quantity"], "lot": f"L{n}"} for line in lines]})
        self.ids["delivery"].append(delivery["id"])
        await self.write("acceptance", hospital, f"/contracts/deliveries/{delivery['id']}/acceptance", {
            "accepted_on": TODAY,
            "lines": [{"line_no": line["line_no"], "accepted_quantity": line["quantity"]} for line in lines]})
        self.accepted_lines += [(delivery["id"], line["line_no"], line["quantity"]) for line in lines]
        billable = {line["line_no"]: line["quantity"] for line in lines}
        if rng.random() < 0.2:
            returned = await self.write("return", hospital, "/contracts/returns", {
                "delivery_id": delivery["id"], "line_no": 1, "quantity": 1, "reason": "包装破损", "returned_on": TODAY})
            self.ids["return"].append(returned["id"])
            billable[1] -= 1
        prices = {line["line_no"]: Decimal(line["unit_price"]) for line in lines}
        billed = [(no, quantity) for no, quantity in billable.items() if quantity > 0]
        if billed:
            amount = sum(prices[no] * quantity for no, quantity in billed)
            invoice = await self.write("invoice", distributor, "/settlement/invoices", {
                "number": f"FP-{self.run}-{n}", "amount": f"{amount:.2f}",
                "lines": [{"delivery_id": delivery["id"], "line_no": no, "quantity": q} for no, q in billed]},
                not_yet=(422,))
            self.ids["invoice"].append(invoice["id"])
            await self.write("invoice acceptance", hospital, f"/settlement/invoices/{invoice['id']}/acceptance",
                             {"decision": "accept"})
            payment = await self.write("payment", hospital, "/settlement/payments", {
                "invoice_id": invoice["id"], "amount": f"{amount:.2f}", "paid_on": TODAY,
                "reference": f"BANK-{self.run}-{n}"})
            self.ids["payment"].append(payment["id"])
            self.expected[f"invoiced {distributor}"] += int(amount * 100)
        await self.insurer(rng)

    async def insurer(self, rng: random.Random) -> None:
        open_tranches = [t for t in self.tranches if t["left"] > 0]
        if open_tranches and rng.random() < 0.6:
            tranche = rng.choice(open_tranches)
            tranche["left"] -= 1
            answer = await self.write("disbursement", "insurer",
                                      f"/settlement/prepayments/{tranche['plan']}/disbursements",
                                      {"tranche": tranche["tranche"], "amount": "1.00", "disbursed_on": TODAY})
            self.ids["disbursement"].append(answer["id"])
        else:
            hospital = rng.choice(PAYABLE_HOSPITALS)
            level = world.HOSPITALS[hospital][1]
            # a new amount each time (the same amount again would be "unchanged", no new version)
            amount = Decimal(world.FUND_PAYABLE[level]) + Decimal(next(self.numbers)) / 100
            answer = await self.write("fund payable", "insurer", "/settlement/fund-payables", {"rows": [{
                "hospital_code": hospital, "fund": "employee" if level >= 2 else "resident", "month": PAYABLE_MONTH,
                "amount": f"{amount:.2f}", "paid_on": TODAY}]})
            row = answer["rows"][0]
            if row.get("status") not in ("posted", "corrected"):
                raise BenchFailure(f"fund payable not posted: {row}")
            self.ids["fund payable"].append(row["payable_id"])

    async def run_until(self, operations: int, workers: int, progress) -> None:
        async def worker() -> None:
            while self.done < operations and not self.failures:
                try:
                    await self.chain()
                except BenchFailure as exc:
                    self.failures.append(str(exc))
                    print(f"  FAILED: {exc}", flush=True)
                progress(self)

        await asyncio.gather(*(worker() for _ in range(workers)))


class Chaos:
    """SIGKILLs at recorded moments, and what brought each back."""

    def __init__(self, platform: Platform, rng: random.Random, operations: int, down_seconds: tuple[float, float]):
        self.platform, self.rng = platform, rng
        victims = ["broker", rng.choice(["contracts", "settlement"]), "consumer", "postgres"]
        rng.shuffle(victims)
        moments = sorted(rng.uniform(0.10, 0.85) * operations for _ in victims)
        self.plan = [(int(at), victim, round(rng.uniform(*down_seconds), 1)) for at, victim in zip(moments, victims)]
        self.schedule: list[str] = []
        self.started = time.monotonic()

    async def follow(self, workload: Workload) -> None:
        for at, victim, down in self.plan:
            while workload.done < at and not workload.failures:
                await asyncio.sleep(0.05)
            if workload.failures:
                return
            await getattr(self, "kill_" + ("service" if victim in ("contracts", "settlement") else victim))(
                victim, down, workload.done)

    def note(self, what: str, done: int) -> None:
        line = f"  t={time.monotonic() - self.started:7.1f} s  after {done:>7,} operations  {what}"
        self.schedule.append(line)
        print(line, flush=True)

    async def kill_broker(self, _: str, down: float, done: int) -> None:
        self.platform.broker.kill()
        self.note(f"SIGKILL broker (Tansu); down {down} s", done)
        await asyncio.sleep(down)
        await asyncio.to_thread(self.platform.broker.start)
        self.note(f"broker started again, empty (cluster {self.platform.broker.cluster_id})", done)

    async def kill_service(self, name: str, down: float, done: int) -> None:
        process = self.platform.processes[name]
        os.kill(process.pid, signal.SIGKILL)
        self.note(f"SIGKILL {name} (pid {process.pid}) with requests in flight; the supervisor restarts it", done)
        await self.back(name, done)

    async def kill_consumer(self, _: str, down: float, done: int) -> None:
        deadline = time.monotonic() + 10
        lag = None
        async with httpx.AsyncClient(timeout=5) as client:
            while time.monotonic() < deadline:
                body = (await client.get(self.platform.service_urls["monitoring"] + "/health")).json()
                lag = body.get("consumer", {}).get("lag")
                if lag:
                    break
                await asyncio.sleep(0.02)
        process = self.platform.processes["monitoring"]
        os.kill(process.pid, signal.SIGKILL)
        self.note(f"SIGKILL monitoring's consumer (pid {process.pid}) at a lag of {lag}; the supervisor restarts it",
                  done)
        await self.back("monitoring", done)

    async def back(self, name: str, done: int) -> None:
        url = self.platform.service_urls[name] + "/health"
        async with httpx.AsyncClient(timeout=5) as client:
            while True:
                await asyncio.sleep(0.2)
                try:
                    if (await client.get(url)).status_code in (200, 503):
                        break
                except httpx.HTTPError:
                    continue
        self.note(f"{name} answering again (restart {self.platform.restarts.get(name)})", done)

    async def kill_postgres(self, _: str, down: float, done: int) -> None:
        killed = self.platform.postgres.kill()
        self.note(f"SIGKILL PostgreSQL: the postmaster and its {killed - 1} backends; down {down} s", done)
        await asyncio.sleep(down)
        await asyncio.to_thread(self.platform.postgres.revive)
        self.note("PostgreSQL started again on the same data directory (crash recovery)", done)


async def settled(platform: Platform, admin: httpx.AsyncClient, timeout: float = 900) -> float:
    """Every relay's backlog and every consumer's lag 0, and no event still within its wait for a
    fact that came late (the consumer applies those itself); how long it took."""
    started = time.monotonic()
    while True:
        try:
            body = (await admin.get("/health")).json()
            if body.get("status") == "ok" and all(
                    s.get("relay", {}).get("backlog") == 0 and s.get("consumer", {}).get("lag", 0) == 0
                    and s.get("consumer", {}).get("awaiting", 0) == 0
                    for s in body["services"].values()):
                return time.monotonic() - started
        except (httpx.HTTPError, ValueError):
            pass
        if time.monotonic() - started > timeout:
            raise BenchFailure(f"the platform did not settle in {timeout} s")
        await asyncio.sleep(0.5)


async def main(operations: int, workers: int, seed: int, down: tuple[float, float]) -> int:
    os.environ.setdefault("GATEWAY_RATE_LIMITS", '{"hospital": "1000000/minute", "company": "1000000/minute", '
                          '"insurer": "1000000/minute", "exchange": "1000000/minute", "admin": "1000000/minute"}')
    rng = random.Random(seed)
    # a run stopped with SIGTERM (or Ctrl-C) still stops the platform it started, PostgreSQL included
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
    with tempfile.TemporaryDirectory() as folder:
        settings = PlatformSettings(data_dir=Path(folder), gateway_port=free_port(), kafka_port=free_port(),
                                    first_service_port=free_port_block(), log_level="WARNING",
                                    clock=f"frozen:{world.FIRST_DAY}T09:00", restart_max_backoff_seconds=2)
        platform = Platform(settings)
        stop = asyncio.Event()
        supervisor = None
        try:
            await platform.start()
            supervisor = asyncio.create_task(platform.supervise(stop, poll_seconds=0.2))
            admin = httpx.AsyncClient(base_url=platform.gateway_url, headers={"X-API-Key": platform.admin_api_key},
                                      timeout=120)
            told = story.Story(admin, Path(folder) / "keys.json")
            print(f"platform up in {platform.startup_seconds:.1f} s; setting up the demo market…", flush=True)
            await told.market(TODAY)
            workload = Workload(platform, told, rng, run=f"{seed}")
            await workload.prepare()
            baseline = await verify.baseline(platform)
            chaos = Chaos(platform, rng, operations, down)
            print(f"seed {seed}: {operations:,} operations by {workers} workers; kill schedule planned at "
                  + ", ".join(f"{victim} after {at:,}" for at, victim, _ in chaos.plan), flush=True)
            shown = [0]

            def progress(w: Workload) -> None:
                if w.done >= shown[0] + operations // 20:
                    shown[0] = w.done
                    rate = w.done / (time.monotonic() - chaos.started)
                    print(f"  … {w.done:,} operations, {rate:,.0f}/s, retries {sum(w.retries.values()):,}", flush=True)

            chaos.started = time.monotonic()
            killer = asyncio.create_task(chaos.follow(workload))
            await workload.run_until(operations, workers, progress)
            elapsed = time.monotonic() - chaos.started
            await killer
            settle = await settled(platform, admin)
            print(f"\nkill schedule (seed {seed}):")
            print("\n".join(chaos.schedule))
            print(f"\n{workload.done:,} operations acknowledged in {elapsed:.0f} s = {workload.done / elapsed:,.0f}/s; "
                  f"settled {settle:.1f} s later")
            print("  by kind: " + ", ".join(f"{k} {v:,}" for k, v in sorted(workload.acknowledged.items())))
            print(f"  retries: {sum(workload.retries.values()):,} (" +
                  ", ".join(f"{k} {v:,}" for k, v in sorted(workload.retries.items())) +
                  f"); answered from the Idempotency-Key: {workload.replayed:,}")
            print("  answers and errors seen: " + ", ".join(f"{k} × {v:,}" for k, v in sorted(workload.statuses.items())))
            problems = list(workload.failures)
            if workload.statuses["500"]:  # a kill is answered 502/503/504; a 500 is a fault of ours
                problems.append(f"{workload.statuses['500']} answers were 500 Internal Server Error: " +
                                "; ".join(workload.errors[:5]))
            problems += await verify.everything(platform, workload, baseline)
            await admin.aclose()
            await workload.client.aclose()
            if problems:
                print("\nBROKEN:\n" + "\n".join(f"  - {p}" for p in problems))
                return 1
            print("\nlost 0, doubled 0, ledgers balanced")
            return 0
        finally:
            stop.set()
            if supervisor is not None:
                await supervisor
            await asyncio.to_thread(platform.stop)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--operations", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=24)
    parser.add_argument("--seed", type=int, default=None, help="random by default; printed, so a run can be repeated")
    parser.add_argument("--down", type=float, nargs=2, default=(3.0, 10.0), metavar=("MIN", "MAX"),
                        help="seconds the broker and PostgreSQL stay down")
    arguments = parser.parse_args()
    seed = arguments.seed if arguments.seed is not None else random.randrange(1_000_000)
    sys.exit(asyncio.run(main(arguments.operations, arguments.workers, seed, tuple(arguments.down))))
