"""``make demo``: half a year of a bureau's work, told through the platform's own API on its
injectable clock (issue 12, item 2).

The platform starts frozen on 2023-01-16. The story registers hospitals and companies, creates
one batch per policy preset (the seed-003 stents as published, Chongqing drugs, Liaoning flow
diverters, Chuxiong consumables), lists their products, agrees year-1 volumes, generates the
agreements and has all three parties sign them. Then, month by month from February to June, it
moves every service's clock and does what each party does on that day: hospitals order, the
distributors confirm and deliver (Chuxiong's once late), hospitals accept (and once return),
distributors invoice, hospitals pay (one hospital leaves an April invoice unpaid), the insurer
disburses prepayment tranches (one Chuxiong tranche never), the insurance core posts each
month's fund payables (one paid late; Chuxiong's offset progressively, Shenyang's net of direct
settlements), the exchange pushes non-winning purchases, and each month begins with the
scheduled checks — so the alerts are the ones the platform itself raises: stockpiling,
onboarding, behind, overdue invoices, a late tranche, a late fund payment, substitutes, late
supply. On the last day a winner fails one hospital: it reports the shortage, the insurer
designates a backup, moves the volume left and resolves the shortage. The clock is left on 2023-07-03, frozen; a second start finds the story told and only
moves the clock there again.
"""

from __future__ import annotations

import asyncio
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import httpx

from vbpkit.runtime.topology import SERVICES
from vbptools import demo
from vbptools.demo.world import (BATCHES, COMPANIES, FIRST_DAY, FUND_PAYABLE, HOSPITALS, LAST_DAY, MONTHS,
                               MONTHLY_SHARE, SHENYANG, Batch)

LATE_SUPPLY = ("2023-04", "91530000MA6K00008K")    # Chuxiong's distributor delivers three days late
UNPAID = ("2023-04", "H500101003")                 # this hospital never pays its April invoices
LATE_FUND_PAYMENT = ("2023-04", "H500101002")      # its April payable is paid on 3 June
NO_TRANCHE = "H532301002"                          # its prepayment is never disbursed
STOCKPILE = ("2023-04", "H500101001", "GJ-GMZJ-2023")  # three months' stents in one
REMEDY_HOSPITAL = "H500101002"                     # 上海微创's stents stop reaching it (issue 25)
DISBURSE_BY = {"2023-02": "2023-03-31", "2023-06": "2023-06-30"}  # on the 20th, what falls due by then


class StoryError(RuntimeError):
    pass


class Story:
    def __init__(self, admin: httpx.AsyncClient, keys_file: Path):
        self.admin = admin
        self.keys_file = keys_file
        self.keys: dict[str, str] = {}
        self.products: dict[tuple[str, int], int] = {}      # (batch, item index) → product id
        self.orders: list[dict] = []                         # this month's orders, as answered
        self.deliveries: list[tuple[dict, dict]] = []        # (order, delivery) of this month
        self.invoices: list[dict] = []

    # --- plumbing -------------------------------------------------------------------------------
    async def call(self, who: str, method: str, path: str, **kwargs):
        key = self.admin.headers["X-API-Key"] if who == "admin" else self.keys[who]
        response = await self.admin.request(method, path, headers={"X-API-Key": key}, **kwargs)
        if response.status_code >= 400:
            raise StoryError(f"{method} {path} as {who}: {response.status_code} {response.text[:600]}")
        body = response.json() if response.content else {}
        refused = isinstance(body, dict) and (body.get("errors") or [r for r in body.get("rows", []) if r.get("errors")])
        if refused:  # a bulk answer stores the good rows; the story has none that are bad
            raise StoryError(f"{method} {path} as {who}: rows refused: {str(refused)[:600]}")
        return body

    async def settled(self, timeout: float = 120) -> None:
        """Every relay's backlog and every consumer's lag 0: all events so far have arrived."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            body = (await self.admin.get("/health")).json()
            if body.get("status") == "ok" and all(
                    s.get("relay", {}).get("backlog", 0) == 0 and s.get("consumer", {}).get("lag", 0) == 0
                    for s in body["services"].values()):
                return
            if asyncio.get_running_loop().time() > deadline:
                raise StoryError(f"the platform did not settle in {timeout} s: {body}")
            await asyncio.sleep(0.1)

    async def day(self, day: str) -> None:
        await self.settled()
        for service in SERVICES:
            await self.call("admin", "PUT", f"/{service}/clock", json={"now": f"{day}T09:00:00+08:00"})

    async def checks(self) -> None:
        await self.settled()
        await self.call("admin", "POST", "/settlement/invoices/overdue-checks")
        await self.call("admin", "POST", "/settlement/prepayments/late-checks")
        await self.settled()
        await self.call("admin", "POST", "/monitoring/alert-checks")

    async def issue_keys(self) -> None:
        wanted = {"exchange": ("exchange", "PROVINCIAL-EXCHANGE", "省药品和医用耗材招采平台"),
                  "insurer": ("insurer", None, "国家医保局 (全国)"),
                  "insurer 500000": ("insurer", "500000", "重庆市医保局"),
                  "insurer 210000": ("insurer", "210000", "辽宁省医保局"),
                  "insurer 532300": ("insurer", "532300", "楚雄州医保局"),
                  **{code: ("hospital", code, name) for code, (name, _, _) in HOSPITALS.items()},
                  **{code: ("company", code, name) for code, (name, _) in COMPANIES.items()}}
        for who, (role, tenant, label) in wanted.items():
            issued = await self.call("admin", "POST", "/admin/api-keys",
                                     json={"role": role, "tenant": tenant, "label": f"demo: {label}"})
            self.keys[who] = issued["api_key"]
        self.keys_file.write_text(json.dumps(self.keys, ensure_ascii=False, indent=1), encoding="utf-8")

    # --- the story ------------------------------------------------------------------------------
    async def tell(self) -> dict[str, str]:
        told = await self.admin.get(f"/catalog/batches/{BATCHES[-1].code}")
        if told.status_code == 200 and self.keys_file.exists():
            self.keys = json.loads(self.keys_file.read_text(encoding="utf-8"))
            await self.day(LAST_DAY)
            return self.keys
        await self.day(FIRST_DAY)
        await self.issue_keys()
        await self.register()
        for batch in BATCHES:
            await self.list_products(batch)
        await self.call("insurer", "PUT", f"/settlement/direct-settlement-regions/{SHENYANG}",
                        json={"since_on": "2023-01-01"})
        await self.settled()
        await self.call("exchange", "POST", "/monitoring/baseline-prices", json={"rows": [
            {"product_id": self.products[(batch.code, i)], "baseline_price": item.baseline}
            for batch in BATCHES for i, item in enumerate(batch.items)]})
        for batch in BATCHES:
            await self.sign_agreements(batch)
        await self.day("2023-01-20")
        await self.disburse({"LN-XLDX-2023"}, due_by="2023-01-31")   # Liaoning: before the start (seed 001)
        for month in MONTHS:
            await self.month(month)
        await self.day(LAST_DAY)
        await self.fund_payables("2023-06")
        await self.non_winning("2023-06")
        await self.remedy()
        await self.checks()
        await self.settled()
        return self.keys

    async def remedy(self) -> None:
        """Issue 25: 上海微创's stents stop reaching 重庆市人民医院 (it reports the shortage); the
        Chongqing insurer designates 赛诺's stent of the batch as the backup (CAT-13), moves the
        hospital's remaining volume to it in an emergency (CON-7) — the three parties sign the new
        agreement — and resolves the shortage with the transfer (MON-12)."""
        stents = demo.STENT_BATCH["code"]
        failing, backup = self.products[(stents, 0)], self.products[(stents, 1)]
        hospital, maker = REMEDY_HOSPITAL, BATCHES[0].items[1].manufacturer
        await self.settled()
        shortage = await self.call(hospital, "POST", "/monitoring/shortages", json={
            "product_id": failing, "since": "2023-06-26", "quantity_short": 10,
            "note": "配送企业告知上海微创冠脉支架重庆地区断货，择期手术受影响"})
        await self.call("insurer 500000", "POST", f"/catalog/products/{failing}/backups", json={
            "backup_product_id": backup, "region_code": "500000", "reason": "中选产品重庆地区供应中断，启用同批次中选产品备选"})
        await self.settled()
        moved = await self.call("insurer 500000", "POST", "/contracts/transfers", json={
            "failing_product_id": failing, "backup_product_id": backup, "hospital_codes": [hospital],
            "emergency": True, "distributor_code": BATCHES[0].items[1].distributor,
            "reason": "中选企业断供：剩余约定量转由备选企业供应"})
        agreement = await self.call("admin", "GET", f"/contracts/agreements/{moved['transfers'][0]['backup_agreement_id']}")
        for signer in (hospital, maker, BATCHES[0].items[1].distributor):
            await self.call(signer, "POST", f"/contracts/agreements/{agreement['id']}/signatures",
                            json={"content_sha256": agreement["content_sha256"]})
        await self.call("insurer 500000", "POST", f"/monitoring/shortages/{shortage['id']}/resolution", json={
            "action": "transfer", "resolution": "剩余约定量已转移至赛诺医疗，由国药控股重庆应急配送"})

    async def market(self, day: str) -> None:
        """The story's first steps alone, for a benchmark to work on: keys, hospitals and
        companies, the batches with their products, year-1 agreements signed by all three
        parties (so prepayment plans exist); then the clock moved to ``day``."""
        await self.day(FIRST_DAY)
        await self.issue_keys()
        await self.register()
        for batch in BATCHES:
            await self.list_products(batch)
        await self.settled()
        for batch in BATCHES:
            await self.sign_agreements(batch)
        await self.day(day)
        await self.settled()

    async def register(self) -> None:
        await self.call("exchange", "POST", "/catalog/institutions", json={"rows": [
            {"code": code, "name": name, "level": level, "kind": "public", "region_code": region}
            for code, (name, level, region) in HOSPITALS.items()]})
        await self.call("exchange", "POST", "/catalog/companies", json={"rows": [
            {"credit_code": code, "name": name, "roles": roles} for code, (name, roles) in COMPANIES.items()]})
        await demo.load(self.admin)                         # the seed-003 batch and table as published
        for batch in BATCHES[1:]:
            await self.call("insurer", "POST", "/catalog/batches", json=batch.create())

    async def list_products(self, batch: Batch) -> None:
        rows = []
        for item in batch.items:
            price, service = Decimal(item.price), Decimal(item.service)
            rows.append({"registration_no": item.registration_no, "name": item.name, "spec": item.spec,
                         "applicant": COMPANIES[item.manufacturer][0], "applicant_credit_code": item.manufacturer,
                         "registrant": COMPANIES[item.manufacturer][0], "product_price": str(price - service),
                         "service_price": item.service, "winning_price": item.price,
                         **({"group": "G1"} if batch.code != demo.STENT_BATCH["code"] else {})})
        pushed = await self.call("exchange", "POST", f"/catalog/batches/{batch.code}/products", json={"rows": rows})
        for stored in pushed["items"]:
            self.products[(batch.code, stored["row"] - 1)] = stored["id"]  # rows are numbered from 1

    async def sign_agreements(self, batch: Batch) -> None:
        await self.call("exchange", "POST", "/contracts/agreed-volumes", json={"rows": [
            {"batch_code": batch.code, "agreement_year": 1, "hospital_code": hospital,
             "product_id": self.products[(batch.code, index)], "quantity": quantity}
            for (hospital, index), quantity in batch.agreed.items()]})
        generated = await self.call("exchange", "POST", "/contracts/agreements/generation",
                                    json={"batch_code": batch.code, "agreement_year": 1})
        distributor = {item.manufacturer: item.distributor for item in batch.items}
        for agreement_id in generated["agreements"]:
            agreement = await self.call("admin", "GET", f"/contracts/agreements/{agreement_id}")
            maker = agreement["manufacturer_code"]
            await self.call(maker, "POST", f"/contracts/agreements/{agreement_id}/distributor",
                            json={"distributor_code": distributor[maker]})
            agreement = await self.call("admin", "GET", f"/contracts/agreements/{agreement_id}")
            for signer in (agreement["hospital_code"], maker, distributor[maker]):
                await self.call(signer, "POST", f"/contracts/agreements/{agreement_id}/signatures",
                                json={"content_sha256": agreement["content_sha256"]})

    async def month(self, month: str) -> None:
        previous = f"2023-{int(month[5:]) - 1:02d}"
        await self.day(f"{month}-03")
        if previous >= MONTHS[0]:
            await self.fund_payables(previous)
            await self.non_winning(previous)
        await self.checks()
        await self.day(f"{month}-06")
        await self.place_orders(month)
        await self.day(f"{month}-07")
        await self.deliver(month, late=False)
        await self.day(f"{month}-08")
        await self.accept(month)
        if month == LATE_SUPPLY[0]:
            await self.day(f"{month}-10")
            await self.deliver(month, late=True)
            await self.day(f"{month}-11")
            await self.accept(month)
        await self.day(f"{month}-15")
        await self.invoice()
        if month in DISBURSE_BY:                             # every tranche due by then, on time
            await self.day(f"{month}-20")
            await self.disburse({"GJ-GMZJ-2023", "CQ-YP-2023", "CX-HC-2023"}, due_by=DISBURSE_BY[month])
        if month == "2023-05":
            await self.call("insurer", "POST", "/monitoring/breaches", json={
                "company_code": "91110000MA00L0002J", "kind": "accompanying_service", "severity": "一般",
                "occurred_on": f"{month}-12", "description": "跟台服务人员未按约定到岗"})
        await self.day(f"{month}-25")
        await self.pay(month)

    async def place_orders(self, month: str) -> None:
        self.orders, self.deliveries, self.invoices = [], [], []
        for batch in BATCHES:
            by_hospital: dict[str, list[dict]] = {}
            for (hospital, index), agreed in batch.agreed.items():
                if HOSPITALS[hospital][1] == 1 and hospital.startswith("H5001"):
                    continue                                   # never onboards (MON-3)
                quantity = max(1, int((Decimal(agreed) / 12 * Decimal(str(MONTHLY_SHARE[month])))
                                      .quantize(Decimal(1), ROUND_HALF_UP)))
                if (month, hospital, batch.code) == STOCKPILE and index == 0:
                    quantity *= 3
                lines = by_hospital.setdefault(hospital, [])
                lines.append({"line_no": len(lines) + 1, "product_id": self.products[(batch.code, index)],
                              "quantity": quantity, "unit_price": batch.items[index].price})
            for hospital, lines in by_hospital.items():
                order = await self.call(hospital, "POST", "/contracts/orders", json={
                    "his_order_no": f"{hospital}-{month}-{batch.code}", "lines": lines})
                self.orders.append(order)

    async def deliver(self, month: str, *, late: bool) -> None:
        for order in self.orders:
            distributor = order["lines"][0]["distributor_code"]
            if ((month, distributor) == LATE_SUPPLY) != late:
                continue
            await self.call(distributor, "POST", f"/contracts/orders/{order['id']}/confirmation", json={
                "lines": [{"line_no": line["line_no"], "decision": "confirm"} for line in order["lines"]]})
            delivery = await self.call(distributor, "POST", "/contracts/deliveries", json={
                "order_id": order["id"], "delivered_on": await self.today(),
                "lines": [{"line_no": line["line_no"], "quantity": line["quantity"], "lot": f"L{month.replace('-', '')}"}
                          for line in order["lines"]]})
            self.deliveries.append((order, delivery))

    async def today(self) -> str:
        return (await self.call("admin", "GET", "/contracts/clock"))["today"]

    async def accept(self, month: str) -> None:
        today = await self.today()
        for order, delivery in self.deliveries:
            if delivery.get("accepted_on"):
                continue
            accepted = await self.call(order["hospital_code"], "POST", f"/contracts/deliveries/{delivery['id']}/acceptance",
                                       json={"accepted_on": today, "lines": [
                                           {"line_no": line["line_no"], "accepted_quantity": line["quantity"]}
                                           for line in order["lines"]]})
            delivery["accepted_on"] = accepted.get("accepted_on", today)
            if month == "2023-03" and order["hospital_code"] == "H500101002" and order["lines"][0]["batch_code"] == \
                    "GJ-GMZJ-2023":
                await self.call(order["hospital_code"], "POST", "/contracts/returns", json={
                    "delivery_id": delivery["id"], "line_no": 1, "quantity": 1, "reason": "包装破损",
                    "returned_on": today})

    async def invoice(self) -> None:
        await self.settled()
        for order, delivery in self.deliveries:
            distributor = order["lines"][0]["distributor_code"]
            billable = await self.call(distributor, "GET", f"/settlement/deliveries/{delivery['id']}/lines")
            lines = [{"delivery_id": delivery["id"], "line_no": line["line_no"], "quantity": line["billable_quantity"]}
                     for line in billable if line["billable_quantity"] > 0]
            amount = sum(Decimal(line["unit_price"]) * line["billable_quantity"] for line in billable)
            invoice = await self.call(distributor, "POST", "/settlement/invoices", json={
                "number": f"FP{delivery['id']:08d}", "amount": f"{amount:.2f}", "lines": lines})
            await self.call(order["hospital_code"], "POST", f"/settlement/invoices/{invoice['id']}/acceptance",
                            json={"decision": "accept"})
            self.invoices.append(invoice)

    async def pay(self, month: str) -> None:
        await self.settled()
        today = await self.today()
        for invoice in self.invoices:
            if (month, invoice["hospital_code"]) == UNPAID:
                continue
            current = await self.call(invoice["hospital_code"], "GET", f"/settlement/invoices/{invoice['id']}")
            if Decimal(current["unpaid"]) > 0:                # a directly settled one is paid already
                await self.call(invoice["hospital_code"], "POST", "/settlement/payments", json={
                    "invoice_id": invoice["id"], "amount": current["unpaid"], "paid_on": today,
                    "reference": f"BANK-{invoice['id']:06d}"})

    async def disburse(self, batches: set[str], *, due_by: str) -> None:
        await self.settled()
        today = await self.today()
        for code in sorted(batches):
            plans = await self.call("insurer", "GET", "/settlement/prepayments", params={"batch_code": code})
            for plan in plans["items"]:
                if plan["hospital_code"] == NO_TRANCHE:
                    continue
                for tranche in plan["tranches"]:
                    if tranche["due_on"] <= due_by and Decimal(tranche["undisbursed"]) > 0:
                        await self.call("insurer", "POST", f"/settlement/prepayments/{plan['id']}/disbursements",
                                        json={"tranche": tranche["number"], "amount": tranche["undisbursed"],
                                              "disbursed_on": today})

    async def fund_payables(self, month: str) -> None:
        today = await self.today()
        rows = []
        for code, (_, level, _) in HOSPITALS.items():
            if (month, code) == LATE_FUND_PAYMENT:
                continue
            rows.append({"hospital_code": code, "fund": "employee" if level >= 2 else "resident", "month": month,
                         "amount": FUND_PAYABLE[level], "paid_on": today})
            if month == "2023-05" and code == LATE_FUND_PAYMENT[1]:    # April's, paid a month late
                rows.append({**rows[-1], "month": LATE_FUND_PAYMENT[0]})
        await self.call("insurer", "POST", "/settlement/fund-payables", json={"rows": rows})

    async def non_winning(self, month: str) -> None:
        """Chongqing's hospitals also bought a non-winning statin; 重庆市人民医院 more and more."""
        share = {"H500101001": 300, "H500101002": 900 if month >= "2023-04" else 400, "H500101003": 200}
        await self.call("exchange", "POST", "/monitoring/non-winning-purchases", json={"rows": [
            {"hospital_code": code, "batch_code": "CQ-YP-2023", "group_code": "G1", "product": "阿托伐他汀钙片(原研)",
             "month": month, "quantity": quantity, "amount": f"{quantity * Decimal('45.80'):.2f}"}
            for code, quantity in share.items()]})


async def tell(admin: httpx.AsyncClient, data_dir: Path) -> dict[str, str]:
    """Tell the story on a platform started on a frozen clock (or find it told); the keys issued."""
    return await Story(admin, data_dir / "demo-keys.json").tell()


def guide(url: str, keys: dict[str, str]) -> str:
    """What ``make demo`` prints once the story is told: each role's key and where to look first."""
    hospitals = [(code, HOSPITALS[code][0]) for code in HOSPITALS]
    companies = [(code, COMPANIES[code][0]) for code in COMPANIES]
    lines = ["The demo platform is on 2023-07-03 (frozen); half a year happened. Keys (also in demo-keys.json):",
             f"  exchange             {keys['exchange']}",
             f"  insurer (national)   {keys['insurer']}",
             *(f"  insurer {region}       {keys[f'insurer {region}']}" for region in ("500000", "210000", "532300")),
             *(f"  hospital {code} {keys[code]}   {name}" for code, name in hospitals),
             *(f"  company {code} {keys[code]}   {name}" for code, name in companies),
             "Where to look first:",
             f"  {url}/docs                                          the API, with these keys",
             f"  export INSURER_KEY={keys['insurer']}",
             f"  curl '{url}/monitoring/alerts?status=open' -H \"X-API-Key: $INSURER_KEY\"",
             f"  curl '{url}/monitoring/progress?batch_code=CQ-YP-2023&group_by=hospital' -H \"X-API-Key: $INSURER_KEY\"",
             f"  curl -o report.xlsx '{url}/monitoring/reports/monthly?month=2023-06&format=xlsx' -H \"X-API-Key: $INSURER_KEY\"",
             f"  curl '{url}/settlement/hospitals/H532301001/statements/2023-05' -H \"X-API-Key: $INSURER_KEY\"",
             f"  curl '{url}/settlement/prepayments?batch_code=CX-HC-2023' -H \"X-API-Key: $INSURER_KEY\"",
             f"  curl '{url}/contracts/transfers' -H \"X-API-Key: $INSURER_KEY\"       a failing winner's volume moved",
             f"  curl '{url}/monitoring/shortages' -H \"X-API-Key: $INSURER_KEY\"      the shortage and how it was solved",
             "  (a regional insurer's key sees its region; a hospital's or a company's key sees its own)"]
    return "\n".join(lines)
