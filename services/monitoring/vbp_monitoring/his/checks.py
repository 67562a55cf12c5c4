"""MON-11 checks: whether each hospital sent a month on time, and the month's alerts once its
upload was due and its window passed — see the package's docstring."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.domain.money import format_yuan
from vbpkit.events.monitoring import HisMonthReconciled
from vbpkit.messaging import outbox
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.projections.registry import repository as registry
from vbpkit.runtime.clock import SHANGHAI
from vbpkit.web.identity import Principal
from vbpkit.web.read_scope import ReadScope, covered

from vbp_monitoring.his import repository
from vbp_monitoring.his.mapping import Mapper
from vbp_monitoring.his.months import chosen_month, month_text, next_month, quantity_text
from vbp_monitoring.his.reconciliation import DEFAULTS, reconcile_all



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


async def visible_upload_status(session: AsyncSession, *, principal: Principal, month: str | None, today: date,
                                hospital_code: str | None, region_code: str | None,
                                status: str | None) -> tuple[str, list[dict]]:
    """The month read (YYYY-MM; the one before today's when not given) and the rows the caller
    may see (ReadScope: a hospital its own, an insurer its region, a company none)."""
    chosen = chosen_month(month, today)
    scope = ReadScope.of(principal, hospital_code=hospital_code)
    if scope.nothing or scope.company_code:
        return month_text(chosen), []
    rows = await upload_status(session, month=chosen, today=today)
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
    return month_text(chosen), shown


# --- the month's check -------------------------------------------------------------------------------


def check_day(month: date, policies) -> date:
    """When ``month`` is judged: its upload due (the latest due day of the policies) and the
    next month's window passed (the longest)."""
    due = max((p.his_upload_due_day for p in policies), default=DEFAULTS.his_upload_due_day)
    window = max((p.his_match_window_days for p in policies), default=DEFAULTS.his_match_window_days)
    return max(due_on(month, due) + timedelta(days=1), next_month(month) + timedelta(days=window))


async def alerts_due(session: AsyncSession, *, today: date, region_of) -> list[dict]:
    """Reconcile each month not reconciled yet whose check day has come; its alert rows. Each
    month once, from the earliest month of any HIS row (a month with no row at all is still
    checked: its uploads are missing). Runs every alert check, so it reads two index edges,
    never the rows, when nothing is due."""
    last = await repository.last_reconciled(session)
    month = next_month(last) if last else await repository.first_month(session)
    if month is None:
        return []
    policies = await repository.batch_policies(session)
    rows = []
    while check_day(month, policies) <= today:
        rows += await _month_alerts(session, month=month, today=today, region_of=region_of)
        month = next_month(month)
    return rows


async def _month_alerts(session: AsyncSession, *, month: date, today: date, region_of) -> list[dict]:
    rows = await reconcile_all(session, month=month)
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
