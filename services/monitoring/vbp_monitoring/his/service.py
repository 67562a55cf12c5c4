"""MON-11 HIS uploads and off-platform buying (seeds 000/002/004 不得线下采购, 通过招采系统进行
交易; 001 按时上传采购和使用数据; 004 采购数据和使用数据互通; 003/004 按含伴随服务的中选价格零差率收费).

**Uploads.** A hospital's HIS sends the rows of the national interfaces 3501–3506 as it sends
them to the national platform (:mod:`vbp_monitoring.his.national`), and deletes with 3507.
A row is keyed by (hospital, data type, ``fixmedins_bchno``) as nationally: the same key with
the same content again is a replay (``unchanged``); with other content it is refused (409)
until the hospital deletes the key (3507) and sends it anew. 3507's ``inv_data_type`` 3 deletes
a batch's purchase and purchase return, 4 its sale and sale return.

**Mapping.** A row's ``med_list_codg`` names a catalog product through a mapping an admin or
insurer set (with how many HIS units make one catalog unit), else through the product the
catalog gave that national insurance code (CAT-11), one HIS unit per catalog unit, among the
products whose batch is in force in the row's month — none, or more than one, and the code is
unmapped: stored, listed (``/his/unmapped``), never refused.

**Reconciliation**, per hospital × winning product × month M (Beijing months):

- HIS net = purchases (3503) − purchase returns (3504) stocked in in M, in catalog units;
- platform net = accepted lines − returns dated in M (the AcceptedLines projection);
- the gap a month's end puts between stock-in and acceptance: a HIS surplus of M stocked in
  in M's last ``his_match_window_days`` (batch policy, default 7) is matched by acceptances of
  the first days of M+1 that M+1's own HIS purchases leave over, and one stocked in in M's
  first days by acceptances of M−1's last days that M−1 leaves over. Each neighbour's spare is
  judged on its own, so a month's spare may answer both its neighbours: the window can only
  lower a finding, never make one;
- off-platform = max(0, HIS net − platform net − matched across the month's end), with its
  explain. A platform surplus (accepted, not yet stocked in) is shown, never an alert.

**Alerts**, once per month, by the alert check, after M's upload was due (the batch policy's
``his_upload_due_day`` of M+1, default the 10th) and M+1's window has passed:

- ``off_platform``: off-platform above ``off_platform_alert_share`` (default 0.05) of HIS net;
- ``his_price``: a HIS purchase price per catalog unit above the agreed price (seeds 002/003:
  不得再次议价) — the highest price the hospital's agreements give the product;
- ``charge_mismatch``: a public hospital sold a winning consumable to patients (3505) at a
  price per catalog unit other than the with-service winning price (seeds 003/004: 按含伴随服务
  的中选价格零差率收费) — the price in force when the check runs;
- ``his_upload_missing``: a hospital with effective agreements in force in M sent no row dated
  in M; resolved when one arrives.

A supplier named on a purchase other than the designated distributor of the hospital's
agreement (by registered name) is shown in the row, not alerted: a manufacturer may deliver
itself, and names are written freely in HIS.

Each month reconciled is announced per hospital (``monitoring.his.reconciled``); the figures
are computed from the stored rows and the accepted-lines projection whenever they are read, so
a replay of the topics rebuilds them.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import as_json, lock_for_transaction
from vbpkit.domain.money import format_yuan
from vbpkit.domain.policy import policy_from_preset
from vbpkit.events.monitoring import HisMonthReconciled, HisRowsDeleted, HisRowsUploaded
from vbpkit.messaging import outbox
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.projections.catalog_view.models import BatchView
from vbpkit.projections.registry import repository as registry
from vbpkit.runtime.clock import SHANGHAI
from vbpkit.web.identity import Principal
from vbpkit.web.input_guard import unstorable
from vbpkit.web.problems import Problem
from vbpkit.web.read_scope import ReadScope, covered

from vbp_monitoring.his import national, repository
from vbp_monitoring.his.national import DELETES, INTERFACES, EnvelopeError, Interface, code_key

FOUR = Decimal("0.0001")
MAX_ROWS = 10_000
DEFAULTS = policy_from_preset("chongqing-2025")  # the policy fields' defaults, for a product of no known batch


def first_of(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


def month_text(month: date) -> str:
    return month.isoformat()[:7]


def quantity_text(value: Decimal) -> str:
    return format(value.quantize(FOUR, ROUND_HALF_UP), "f")


# --- uploads ---------------------------------------------------------------------------------------


def _problem(where: str, reason: str) -> Problem:
    return Problem(422, "validation-error", "Not a national upload", f"{where} {reason}",
                   errors=[{"field": where, "reason": reason}])


async def upload(session: AsyncSession, *, hospital: str, infno: str, body: Any, now: datetime) -> dict:
    """Store a call's rows of interface ``infno`` (3501–3506) for ``hospital``."""
    interface = INTERFACES[infno]
    try:
        sent = national.unwrap(body, interface)
    except EnvelopeError as exc:
        raise _problem(exc.field, exc.reason) from None
    if len(sent.rows) > MAX_ROWS:
        raise _problem(sent.path, f"holds {len(sent.rows):,} rows; a call takes at most {MAX_ROWS:,}")
    if not sent.rows:
        raise _problem(sent.path, "holds no rows")
    errors: list[dict] = []
    records: dict[str, tuple[int, str, tuple]] = {}  # bchno → (row, hash, record)
    unchanged = 0
    for number, raw in enumerate(sent.rows, start=1):
        if not isinstance(raw, dict):
            errors.append({"row": number, "field": "row", "reason": "is not an object of national fields"})
            continue
        raw = national.without_identity(raw)
        refused = [(where or "row", reason) for where, reason in unstorable(raw)]
        values, problems = national.read_row(interface, raw) if not refused else ({}, refused)
        if problems:
            errors += [{"row": number, "field": where, "reason": reason} for where, reason in problems]
            continue
        kept = national.stored_form(values)
        digest = hashlib.sha256(json.dumps(kept, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
        bchno = values["fixmedins_bchno"]
        if bchno in records:
            earlier, earlier_digest, _ = records[bchno]
            if earlier_digest == digest:
                unchanged += 1
            else:
                errors.append({"row": number, "field": "fixmedins_bchno",
                               "reason": f"repeats row {earlier}'s key {bchno} with other content"})
            continue
        at = values[interface.time]
        if isinstance(at, date) and not isinstance(at, datetime):
            at = datetime(at.year, at.month, at.day, tzinfo=SHANGHAI)
        records[bchno] = (number, digest, (
            hospital, interface.data_type, bchno, code_key(values["med_list_codg"]), values[interface.quantity],
            values.get(interface.price) if interface.price else None, at, at.astimezone(SHANGHAI).date().replace(day=1),
            values.get("spler_name"), as_json(kept), digest, now))
    await lock_for_transaction(session, "his_records", [hospital])
    stored = await repository.stored_hashes(session, hospital, {(interface.data_type, b) for b in records})
    new = []
    for bchno, (number, digest, record) in records.items():
        before = stored.get((interface.data_type, bchno))
        if before is None:
            new.append(record)
        elif before == digest:
            unchanged += 1
        else:
            errors.append({"row": number, "field": "fixmedins_bchno", "conflict": True, "reason": (
                f"{bchno} is stored with other content; delete it first (3507, inv_data_type "
                f"{interface.inv_data_type}) to send it anew")})
    errors.sort(key=lambda e: e["row"])
    if errors and not new and not unchanged:
        conflict = all(e.get("conflict") for e in errors)
        located = [{"field": ".".join(filter(None, (sent.where(e["row"]), None if e["field"] == "row" else e["field"]))),
                    "row": e["row"], "reason": e["reason"]} for e in errors]
        raise Problem(409 if conflict else 422, "conflict" if conflict else "validation-error",
                      "Stored with other content" if conflict else "No valid rows",
                      f"no row could be stored ({len(errors)} refusals); nothing was stored", errors=located)
    await repository.store(session, new)
    months = sorted({month_text(r[7]) for r in new})
    await repository.resolve_missing_uploads(session, hospital, set(months), now.astimezone(SHANGHAI).date())
    outbox.add(session, HisRowsUploaded(
        hospital_code=hospital, interface=infno, data_type=interface.data_type, msgid=sent.msgid,
        received=len(sent.rows), stored=len(new), unchanged=unchanged, refused=len({e["row"] for e in errors}),
        months=months), key=hospital)
    return {"received": len(sent.rows), "created": len(new), "updated": 0, "unchanged": unchanged,
            "errors": [{k: v for k, v in e.items() if k != "conflict"} for e in errors]}


async def delete(session: AsyncSession, *, hospital: str, body: Any) -> dict:
    """3507 商品信息删除: delete each (``fixmedins_bchno``, ``inv_data_type``) sent."""
    interface = INTERFACES["3507"]
    try:
        sent = national.unwrap(body, interface)
    except EnvelopeError as exc:
        raise _problem(exc.field, exc.reason) from None
    if not sent.rows or len(sent.rows) > MAX_ROWS:
        raise _problem(sent.path, f"holds {len(sent.rows):,} rows; a call takes 1 to {MAX_ROWS:,}")
    await lock_for_transaction(session, "his_records", [hospital])
    errors, deleted, months = [], [], set()
    for number, raw in enumerate(sent.rows, start=1):
        values, problems = national.read_row(interface, raw) if isinstance(raw, dict) else (
            {}, [("row", "is not an object of national fields")])
        if problems:
            errors += [{"row": number, "field": where, "reason": reason} for where, reason in problems]
            continue
        gone = await repository.delete_keys(session, hospital, DELETES[values["inv_data_type"]],
                                            values["fixmedins_bchno"])
        if not gone:
            errors.append({"row": number, "field": "fixmedins_bchno", "reason": (
                f"nothing of yours is stored under {values['fixmedins_bchno']} with inv_data_type "
                f"{values['inv_data_type']}")})
            continue
        deleted.append({"fixmedins_bchno": values["fixmedins_bchno"], "inv_data_type": values["inv_data_type"]})
        months |= {month_text(m) for m in gone}
    if errors and not deleted:
        located = [{"field": ".".join(filter(None, (sent.where(e["row"]), None if e["field"] == "row" else e["field"]))),
                    "row": e["row"], "reason": e["reason"]} for e in errors]
        raise Problem(422, "validation-error", "Nothing deleted",
                      f"no row could be deleted ({len(errors)} refusals)", errors=located)
    outbox.add(session, HisRowsDeleted(hospital_code=hospital, deleted=deleted, months=sorted(months)), key=hospital)
    return {"received": len(sent.rows), "deleted": len(deleted), "errors": errors}


# --- mapping ----------------------------------------------------------------------------------------


@dataclass
class Mapper:
    """A national code in a month → (product, HIS units per catalog unit, how), or why not."""

    explicit: dict[str, tuple[int, Decimal]]
    coded: dict[str, list[tuple]] = field(default_factory=dict)

    @classmethod
    async def load(cls, session: AsyncSession) -> Mapper:
        explicit = {m.med_list_codg: (m.product_id, m.his_units_per_unit) for m in await repository.mappings(session)}
        coded: dict[str, list[tuple]] = defaultdict(list)
        for code, product, batch, winning, starts, ends in await repository.coded_products(session):
            coded[code].append((product, starts, ends))
        return cls(explicit, coded)

    def map(self, code: str, month: date) -> tuple[int, Decimal, str] | None:
        if code in self.explicit:
            product, units = self.explicit[code]
            return product, units, "mapping"
        month_end = next_month(month) - timedelta(days=1)
        candidates = {p for p, starts, ends in self.coded.get(code, ()) if starts <= month_end and ends >= month}
        if len(candidates) == 1:
            return candidates.pop(), Decimal(1), "insurance_code"
        return None

    def why_not(self, code: str) -> str:
        found = self.coded.get(code)
        if not found:
            return "no mapping, and no catalog product has this national insurance code (CAT-11)"
        return (f"{len(found)} catalog products have this national insurance code and none or several of their "
                f"batches are in force in the month; map it by hand")

    def known(self) -> set[str]:
        return set(self.explicit) | set(self.coded)


async def put_mapping(session: AsyncSession, *, code: str, product_id: int, his_units_per_unit: Decimal,
                      note: str | None, actor: str, now: datetime):
    if not (await repository.products(session, {product_id})):
        raise Problem(422, "validation-error", "Unknown product", f"no product {product_id} known to monitoring",
                      errors=[{"field": "body.product_id", "reason": f"no product {product_id} known to monitoring"}])
    return await repository.put_mapping(session, dict(
        med_list_codg=code_key(code), product_id=product_id, his_units_per_unit=his_units_per_unit, note=note,
        set_by=actor, set_at=now))


async def mappings(session: AsyncSession) -> list:
    return await repository.mappings(session)


async def drop_mapping(session: AsyncSession, *, code: str) -> None:
    if not await repository.drop_mapping(session, code_key(code)):
        raise Problem(404, detail=f"no hand mapping of {code_key(code)}")


async def unmapped(session: AsyncSession, *, principal: Principal, hospital_code: str | None) -> list[dict]:
    scope = ReadScope.of(principal, hospital_code=hospital_code)
    if scope.nothing or scope.company_code:
        return []
    mapper = await Mapper.load(session)
    regions = await registry.institution_regions(session)
    found = []
    for hospital, code, data_type, rows, quantity, first, last in await repository.unmapped_rows(
            session, mapper.known(), scope.hospital_code):
        if scope.covers(regions.get(hospital)):
            found.append({"hospital_code": hospital, "med_list_codg": code, "data_type": data_type, "rows": rows,
                          "quantity": quantity_text(quantity), "first_month": month_text(first),
                          "last_month": month_text(last), "why": mapper.why_not(code)})
    return found


# --- reconciliation --------------------------------------------------------------------------------


@dataclass
class Figures:
    """A hospital's figures of one product over M−1, M, M+1: total, first-days and last-days
    quantities per month, in catalog units."""

    his: dict[date, list[Decimal]] = field(default_factory=lambda: defaultdict(lambda: [Decimal(0)] * 3))
    platform: dict[date, list[Decimal]] = field(default_factory=lambda: defaultdict(lambda: [Decimal(0)] * 3))
    purchased: Decimal = Decimal(0)
    returned: Decimal = Decimal(0)
    accepted: int = 0
    platform_returned: int = 0
    max_price: Decimal | None = None  # yuan per catalog unit
    codes: set[str] = field(default_factory=set)


def _add(series: dict, day: date, quantity: Decimal, window: int) -> None:
    month = day.replace(day=1)
    last_day = (next_month(month) - timedelta(days=1)).day
    cell = series[month]
    cell[0] += quantity
    if day.day <= window:
        cell[1] += quantity
    if day.day > last_day - window:
        cell[2] += quantity


async def reconcile(session: AsyncSession, *, month: date, hospital: str | None = None) -> list[dict]:
    """Every (hospital, winning product) of ``month`` with HIS or platform purchases, judged."""
    months = [previous_month(month), month, next_month(month)]
    mapper = await Mapper.load(session)
    his_rows = await repository.his_figures(session, months, ("purchase", "purchase_return"), hospital)
    product_ids = set()
    mapped_rows = []
    unmapped_codes: dict[str, set[str]] = defaultdict(set)
    for h, code, data_type, day, quantity, price in his_rows:
        found = mapper.map(code, day.replace(day=1))
        if found is None:
            if day.replace(day=1) == month:
                unmapped_codes[h].add(code)
            continue
        product, units, how = found
        product_ids.add(product)
        mapped_rows.append((h, code, product, units, data_type, day, quantity, price))
    platform_rows = await repository.platform_figures(session, months[0], next_month(months[2]) - timedelta(days=1),
                                                      hospital)
    product_ids |= {p for _, p, *_ in platform_rows}
    products = await repository.products(session, product_ids)
    batches = await catalog.batches_by_code(session, {p.batch_code for p in products.values()})

    def policy(product_id: int):
        view = products.get(product_id)
        batch = batches.get(view.batch_code) if view else None
        return batch.policy if batch else DEFAULTS

    figures: dict[tuple[str, int], Figures] = defaultdict(Figures)
    for h, code, product, units, data_type, day, quantity, price in mapped_rows:
        view = products.get(product)
        if view is None or not view.winning:
            continue
        f = figures[(h, product)]
        f.codes.add(code)
        amount = Decimal(quantity) / units
        window = policy(product).his_match_window_days
        _add(f.his, day, amount if data_type == "purchase" else -amount, window)
        if day.replace(day=1) == month:
            if data_type == "purchase":
                f.purchased += amount
                if price is not None:
                    unit_price = Decimal(price) * units
                    f.max_price = unit_price if f.max_price is None else max(f.max_price, unit_price)
            else:
                f.returned += amount
    for h, product, batch_code, day, accepted, returned in platform_rows:
        view = products.get(product)
        if view is None or not view.winning:
            continue
        f = figures[(h, product)]
        _add(f.platform, day, Decimal(accepted - returned), policy(product).his_match_window_days)
        if day.replace(day=1) == month:
            f.accepted += accepted
            f.platform_returned += returned
    agreed = await repository.agreed_prices(session)
    suppliers = await repository.suppliers(session, [month], hospital)
    distributor_names = await registry.names(session, companies={d for _, d in agreed.values() if d})
    results = []
    for (h, product), f in sorted(figures.items()):
        if not (f.purchased or f.returned or f.accepted or f.platform_returned):
            continue  # only a neighbouring month's purchases: not this month's row
        view = products[product]
        rules = policy(product)
        window = rules.his_match_window_days
        before, this, after = (f.his[m] for m in months)
        p_before, p_this, p_after = (f.platform[m] for m in months)
        gap = this[0] - p_this[0]
        spare_next = max(Decimal(0), min(p_after[1], p_after[0] - after[0]))
        spare_previous = max(Decimal(0), min(p_before[2], p_before[0] - before[0]))
        from_next = from_previous = Decimal(0)
        if gap > 0:
            from_next = min(gap, spare_next, max(Decimal(0), this[2]))
            from_previous = min(gap - from_next, spare_previous, max(Decimal(0), this[1]))
        off = max(Decimal(0), gap - from_next - from_previous)
        share = (off / this[0]).quantize(FOUR, ROUND_HALF_UP) if this[0] > 0 else None
        limit = Decimal(rules.off_platform_alert_share)
        price_fen, distributor = agreed.get((h, product), (None, None))
        above_agreed = (f.max_price is not None and price_fen is not None
                        and f.max_price * 100 > price_fen)
        named = set().union(*(suppliers.get((h, c, month), set()) for c in f.codes)) if f.codes else set()
        designated = distributor_names.get(distributor) if distributor else None
        results.append({
            "hospital_code": h, "batch_code": view.batch_code, "product_id": product, "product_name": view.name,
            "month": month_text(month), "his_purchased": quantity_text(f.purchased),
            "his_returned": quantity_text(f.returned), "his_net": quantity_text(this[0]),
            "platform_accepted": f.accepted, "platform_returned": f.platform_returned,
            "platform_net": quantity_text(p_this[0]),
            "matched_across_month_end": quantity_text(from_next + from_previous),
            "off_platform": quantity_text(off), "off_platform_share": None if share is None else format(share, "f"),
            "platform_surplus": quantity_text(max(Decimal(0), -gap)),
            "alert": off > 0 and share is not None and share > limit,
            "highest_his_price": None if f.max_price is None else format_yuan(
                int((f.max_price * 100).quantize(Decimal(1), ROUND_HALF_UP))),
            "agreed_price": None if price_fen is None else format_yuan(price_fen),
            "price_above_agreed": above_agreed,
            "designated_distributor": designated,
            "other_suppliers": sorted(s for s in named if designated is None or s != designated),
            "explain": {
                "rule": "MON-11", "preset": rules.preset,
                "formula": "off-platform = max(0, HIS net − platform net − matched across the month's end)",
                "his_net": f"purchases {quantity_text(f.purchased)} − returns {quantity_text(f.returned)} "
                           f"stocked in in {month_text(month)}, in catalog units (HIS units ÷ units per catalog unit)",
                "platform_net": f"accepted {f.accepted} − returned {f.platform_returned} in {month_text(month)}",
                "window_days": window,
                "matched_with_next_month": quantity_text(from_next),
                "matched_with_previous_month": quantity_text(from_previous),
                "threshold_share": format(limit.normalize(), "f"),
                "codes": sorted(f.codes),
                "seeds": "000/002/004 不得线下采购; 通过招采系统进行交易"}})
    for h, codes in unmapped_codes.items():
        for row in results:
            if row["hospital_code"] == h:
                row["explain"]["unmapped_codes_this_month"] = len(codes)
    return results


async def visible_reconciliation(session: AsyncSession, *, principal: Principal, month: date,
                                 hospital_code: str | None, batch_code: str | None,
                                 region_code: str | None, alert: bool | None = None) -> list[dict]:
    """GW-5 (ReadScope): a hospital its own rows, an insurer its region's, the exchange and
    admins all; a company none (these are hospitals' purchases)."""
    scope = ReadScope.of(principal, hospital_code=hospital_code)
    if scope.nothing or scope.company_code:
        return []
    rows = await reconcile(session, month=month, hospital=scope.hospital_code)
    names = await registry.names(session, institutions={r["hospital_code"] for r in rows})
    regions = await registry.institution_regions(session)
    shown = []
    for row in rows:
        h = row["hospital_code"]
        if (batch_code and row["batch_code"] != batch_code) or (alert is not None and row["alert"] != alert):
            continue
        if scope.covers(regions.get(h)) and covered(regions.get(h), region_code):
            shown.append({**row, "hospital_name": names.get(h), "region_code": regions.get(h)})
    return shown


async def bought_on_platform(session: AsyncSession, *, batch_code: str, first: date,
                             last: date) -> dict[str, tuple[Decimal, Decimal]]:
    """MON-7 "bought on the platform": hospital → (platform net, HIS net) of the batch's winning
    products from ``first`` to ``last``, in catalog units — HIS rows by stock-in day, acceptances
    and returns by their days; no window (a year's ends are far from most purchases)."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = next_month(month)
    mapper = await Mapper.load(session)
    his: dict[str, Decimal] = defaultdict(Decimal)
    found = []
    for h, code, data_type, day, quantity, _ in await repository.his_figures(session, months,
                                                                               ("purchase", "purchase_return")):
        mapped = mapper.map(code, day.replace(day=1)) if first <= day <= last else None
        if mapped:
            found.append((h, mapped[0], Decimal(quantity) / mapped[1] * (1 if data_type == "purchase" else -1)))
    platform_rows = await repository.platform_figures(session, first, last)
    products = await repository.products(session, {p for _, p, _ in found} | {p for _, p, *_ in platform_rows})
    ours = {p for p, view in products.items() if view.batch_code == batch_code and view.winning}
    for h, product, amount in found:
        if product in ours:
            his[h] += amount
    platform: dict[str, Decimal] = defaultdict(Decimal)
    for h, product, _, _, accepted, returned in platform_rows:
        if product in ours:
            platform[h] += accepted - returned
    return {h: (platform.get(h, Decimal(0)), his[h]) for h in his}


# --- upload status ------------------------------------------------------------------------------------


def due_on(month: date, due_day: int) -> date:
    return next_month(month).replace(day=due_day)


async def upload_status(session: AsyncSession, *, month: date, today: date) -> list[dict]:
    """Per hospital in force in ``month`` or with rows of it: what it sent, when, and whether on time."""
    in_force = await repository.hospitals_in_force(session, month, next_month(month) - timedelta(days=1))
    sent = await repository.uploads(session, month)
    batches = await catalog.batches_by_code(session, {b for bs in in_force.values() for b in bs})
    rows = []
    for h in sorted(set(in_force) | set(sent)):
        days = [batches[b].policy.his_upload_due_day for b in in_force.get(h, ()) if b in batches]
        due = due_on(month, min(days) if days else DEFAULTS.his_upload_due_day)
        entry = sent.get(h)
        first = entry["first"].astimezone(SHANGHAI).date() if entry else None
        status = ("on_time" if first <= due else "late") if entry else ("missing" if today > due else "not_due")
        rows.append({"hospital_code": h, "month": month_text(month), "due_on": due.isoformat(), "status": status,
                     "first_received_on": first.isoformat() if first else None,
                     "last_received_on": entry["last"].astimezone(SHANGHAI).date().isoformat() if entry else None,
                     "rows": dict(sorted(entry["rows"].items())) if entry else {},
                     "batches_in_force": sorted(in_force.get(h, ())),
                     "explain": {"rule": "MON-11", "seed": "001 按时上传采购和使用数据",
                                 "due": "the batch policies' his_upload_due_day of the next month (the earliest)"}})
    return rows


async def visible_upload_status(session: AsyncSession, *, principal: Principal, month: date, today: date,
                                hospital_code: str | None, region_code: str | None,
                                status: str | None) -> list[dict]:
    scope = ReadScope.of(principal, hospital_code=hospital_code)
    if scope.nothing or scope.company_code:
        return []
    rows = await upload_status(session, month=month, today=today)
    names = await registry.names(session, institutions={r["hospital_code"] for r in rows})
    regions = await registry.institution_regions(session)
    shown = []
    for row in rows:
        if not scope.shows_hospital(row["hospital_code"]) or (status and row["status"] != status):
            continue
        region = regions.get(row["hospital_code"])
        if scope.covers(region) and covered(region, region_code):
            shown.append({**row, "hospital_name": names.get(row["hospital_code"]),
                          "region_code": region})
    return shown


# --- the month's check -------------------------------------------------------------------------------


def check_day(month: date, policies) -> date:
    """When ``month`` is judged: its upload due (the latest due day of the policies) and the
    next month's window passed (the longest)."""
    due = max((p.his_upload_due_day for p in policies), default=DEFAULTS.his_upload_due_day)
    window = max((p.his_match_window_days for p in policies), default=DEFAULTS.his_match_window_days)
    return max(due_on(month, due) + timedelta(days=1), next_month(month) + timedelta(days=window))


async def alerts_due(session: AsyncSession, *, today: date, region_of) -> list[dict]:
    """Reconcile each month not reconciled yet whose check day has come; its alert rows. Each
    month once: the first month is the earliest of any HIS row."""
    months = await repository.months_with_rows(session)
    if not months:
        return []
    last = await repository.last_reconciled(session)
    month = next_month(last) if last else months[0]
    policies = await _policies(session)
    rows = []
    while check_day(month, policies) <= today:
        rows += await _month_alerts(session, month=month, today=today, region_of=region_of)
        month = next_month(month)
    return rows


async def _policies(session: AsyncSession) -> list:
    return [b.policy for b in await session.scalars(select(BatchView))]


async def _month_alerts(session: AsyncSession, *, month: date, today: date, region_of) -> list[dict]:
    rows = await reconcile(session, month=month)
    alerts = []
    by_hospital: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_hospital[row["hospital_code"]].append(row)
        common = dict(rule="MON-11", period=row["month"], batch_code=row["batch_code"],
                      hospital_code=row["hospital_code"], company_code="", product_id=row["product_id"],
                      group_code="", region_code=await region_of(row["hospital_code"]), raised_on=today)
        if row["alert"]:
            alerts.append(dict(kind="off_platform", **common, details={
                **row["explain"], "off_platform": row["off_platform"], "his_net": row["his_net"],
                "platform_net": row["platform_net"], "share": row["off_platform_share"]}))
        if row["price_above_agreed"]:
            alerts.append(dict(kind="his_price", **common, details={
                "rule": "MON-11", "seeds": "002/003 不得再次议价", "highest_his_price": row["highest_his_price"],
                "agreed_price": row["agreed_price"], "codes": row["explain"]["codes"],
                "why": "a HIS purchase price per catalog unit above the highest price the hospital agreed"}))
    alerts += await _charge_mismatches(session, month=month, today=today, region_of=region_of)
    in_force = await repository.hospitals_in_force(session, month, next_month(month) - timedelta(days=1))
    sent = await repository.uploads(session, month)
    for h in sorted(set(in_force) - set(sent)):
        alerts.append(dict(kind="his_upload_missing", rule="MON-11", period=month_text(month), batch_code="",
                           hospital_code=h, company_code="", product_id=0, group_code="",
                           region_code=await region_of(h), raised_on=today, details={
                               "rule": "MON-11", "seed": "001 按时上传采购和使用数据",
                               "batches_in_force": sorted(in_force[h]),
                               "why": f"no 进销存 row dated in {month_text(month)} was received by the check on "
                                      f"{today.isoformat()}"}))
    for h, found in sorted(by_hospital.items()):
        total = lambda name: quantity_text(sum((Decimal(r[name]) for r in found), Decimal(0)))  # noqa: E731
        outbox.add(session, HisMonthReconciled(
            hospital_code=h, month=month_text(month), region_code=await region_of(h), products=len(found),
            his_net=total("his_net"), platform_net=total("platform_net"), off_platform=total("off_platform"),
            unmapped_codes=found[0]["explain"].get("unmapped_codes_this_month", 0)), key=h)
    await repository.mark_reconciled(session, month, today, len(by_hospital))
    return alerts


async def _charge_mismatches(session: AsyncSession, *, month: date, today: date, region_of) -> list[dict]:
    mapper = await Mapper.load(session)
    sales = await repository.sale_prices(session, month)
    mapped = {}
    for h, code, price, count in sales:
        found = mapper.map(code, month)
        if found:
            mapped.setdefault((h, found[0]), []).append((code, Decimal(price) * found[1], count))
    products = await repository.products(session, {p for _, p in mapped})
    batches = await catalog.batches_by_code(session, {p.batch_code for p in products.values()})
    institutions = {}
    alerts = []
    for (h, product), prices in sorted(mapped.items()):
        view = products.get(product)
        batch = batches.get(view.batch_code) if view else None
        if view is None or batch is None or not view.winning or batch.kind != "consumable":
            continue
        if h not in institutions:
            institutions[h] = await registry.institution(session, h)
        if institutions[h] is None or institutions[h].kind != "public":
            continue
        wrong = [(c, p, n) for c, p, n in prices if p * 100 != view.winning_price_fen]
        if not wrong:
            continue
        alerts.append(dict(kind="charge_mismatch", rule="MON-11", period=month_text(month),
                           batch_code=view.batch_code, hospital_code=h, company_code="", product_id=product,
                           group_code="", region_code=await region_of(h), raised_on=today, details={
                               "rule": "MON-11", "seeds": "003/004 按含伴随服务的中选价格零差率收费",
                               "winning_price_with_service": format_yuan(view.winning_price_fen),
                               "prices_charged": sorted({format(p.normalize(), "f") for _, p, _ in wrong})[:10],
                               "sales_at_another_price": sum(n for *_, n in wrong),
                               "codes": sorted({c for c, *_ in wrong})}))
    return alerts
