"""MON-11 reconciliation: per hospital × winning product × month, the HIS's net purchases against
the platform's acceptances, across the month's end within the policy's window — see the
package's docstring for the rule."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.domain.money import format_yuan
from vbpkit.domain.policy import policy_from_preset
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.projections.registry import repository as registry
from vbpkit.web.identity import Principal
from vbpkit.web.read_scope import ReadScope, covered

from vbp_monitoring.his import repository
from vbp_monitoring.his.mapping import Mapper
from vbp_monitoring.his.months import FOUR, chosen_month, month_text, next_month, previous_month, quantity_text

DEFAULTS = policy_from_preset("chongqing-2025")  # the policy fields' defaults, for a product of no known batch



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


async def visible_reconciliation(session: AsyncSession, *, principal: Principal, month: str | None, today: date,
                                 hospital_code: str | None, batch_code: str | None,
                                 region_code: str | None, alert: bool | None = None) -> tuple[str, list[dict]]:
    """The month read (YYYY-MM; the one before today's when not given) and its rows the caller
    may see — GW-5 (ReadScope): a hospital its own rows, an insurer its region's, the exchange
    and admins all; a company none (these are hospitals' purchases)."""
    chosen = chosen_month(month, today)
    scope = ReadScope.of(principal, hospital_code=hospital_code)
    if scope.nothing or scope.company_code:
        return month_text(chosen), []
    rows = await reconcile(session, month=chosen, hospital=scope.hospital_code)
    names = await registry.names(session, institutions={r["hospital_code"] for r in rows})
    regions = await registry.institution_regions(session)
    shown = []
    for row in rows:
        h = row["hospital_code"]
        if (batch_code and row["batch_code"] != batch_code) or (alert is not None and row["alert"] != alert):
            continue
        if scope.covers(regions.get(h)) and covered(regions.get(h), region_code):
            shown.append({**row, "hospital_name": names.get(h), "region_code": regions.get(h)})
    return month_text(chosen), shown


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
