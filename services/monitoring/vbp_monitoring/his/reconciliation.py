"""MON-11 reconciliation: per hospital × winning product × month, the HIS's net purchases against
the platform's acceptances, across the month's end within the policy's window — see the
package's docstring for the rule."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.domain.money import format_yuan
from vbpkit.domain.policy import policy_from_preset
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.projections.registry import repository as registry
from vbpkit.web.identity import Principal
from vbpkit.web.downloads import DOWNLOAD_MAX_ROWS
from vbpkit.web.read_scope import ReadScope, covered

from vbp_monitoring.his import repository
from vbp_monitoring.his.mapping import Mapper
from vbp_monitoring.his.months import FOUR, chosen_month, month_text, next_month, previous_month, quantity_text

DEFAULTS = policy_from_preset("chongqing-2025")  # the policy fields' defaults, for a product of no known batch



# Hospitals reconciled per round: each round's queries name them (their index), and a page of the
# read ends on a hospital's last row.
HOSPITALS_PER_ROUND = 25
ZERO = Decimal(0)


class Figures:
    """A hospital's figures of one product over M−1, M, M+1 (index 0, 1, 2): per month the
    total, the first days' and the last days' quantities, in catalog units."""

    __slots__ = ("his", "platform", "purchased", "returned", "accepted", "platform_returned", "max_price", "codes")

    def __init__(self):
        self.his = [[ZERO] * 3, [ZERO] * 3, [ZERO] * 3]
        self.platform = [[ZERO] * 3, [ZERO] * 3, [ZERO] * 3]
        self.purchased = self.returned = ZERO
        self.accepted = self.platform_returned = 0
        self.max_price: Decimal | None = None  # yuan per catalog unit
        self.codes: set[str] = set()


def _add(series: list, index: int, day: date, quantity: Decimal, window: int, last_days: list[int]) -> None:
    cell = series[index]
    cell[0] += quantity
    if day.day <= window:
        cell[1] += quantity
    if day.day > last_days[index] - window:
        cell[2] += quantity


@dataclass
class Product:
    """What the reconciliation needs of a product, read once."""

    view: object
    rules: object
    winning: bool


async def reconcile(session: AsyncSession, *, month: date, hospitals: list[str] | None = None) -> list[dict]:
    """Every (hospital, winning product) of ``month`` with HIS or platform purchases, judged;
    only ``hospitals``' when given (their index is used: a page or a round costs its rows)."""
    months = [previous_month(month), month, next_month(month)]
    index_of = {m: i for i, m in enumerate(months)}
    last_days = [(next_month(m) - timedelta(days=1)).day for m in months]
    mapper = await Mapper.load(session)
    his_rows = await repository.his_figures(session, months, ("purchase", "purchase_return"), hospitals)
    mapped_rows, unmapped_codes, maps = [], defaultdict(set), {}
    for h, code, data_type, day, quantity, price in his_rows:
        first = day.replace(day=1)
        if (code, first) not in maps:
            maps[(code, first)] = mapper.map(code, first)
        found = maps[(code, first)]
        if found is None:
            if first == month:
                unmapped_codes[h].add(code)
            continue
        mapped_rows.append((h, code, found[0], found[1], data_type, index_of[first], day, quantity, price))
    batches_in_force = await repository.batches_in_force(session, months[0], next_month(months[2]) - timedelta(days=1))
    platform_rows = await repository.platform_figures(session, months[0], next_month(months[2]) - timedelta(days=1),
                                                      hospitals, batches_in_force)
    views = await repository.products(session, {r[2] for r in mapped_rows} | {r[1] for r in platform_rows})
    batches = await catalog.batches_by_code(session, {p.batch_code for p in views.values()})
    products = {pid: Product(view, batches[view.batch_code].policy if view.batch_code in batches else DEFAULTS,
                             view.winning) for pid, view in views.items()}
    figures: dict[tuple[str, int], Figures] = {}
    for h, code, product, units, data_type, index, day, quantity, price in mapped_rows:
        known = products.get(product)
        if known is None or not known.winning:
            continue
        f = figures.get((h, product)) or figures.setdefault((h, product), Figures())
        f.codes.add(code)
        amount = quantity / units
        _add(f.his, index, day, amount if data_type == "purchase" else -amount, known.rules.his_match_window_days,
             last_days)
        if index == 1:
            if data_type == "purchase":
                f.purchased += amount
                if price is not None:
                    unit_price = price * units
                    f.max_price = unit_price if f.max_price is None or unit_price > f.max_price else f.max_price
            else:
                f.returned += amount
    for h, product, day, accepted, returned in platform_rows:
        known = products.get(product)
        if known is None or not known.winning:
            continue
        f = figures.get((h, product)) or figures.setdefault((h, product), Figures())
        index = index_of[day.replace(day=1)]
        _add(f.platform, index, day, Decimal(accepted - returned), known.rules.his_match_window_days, last_days)
        if index == 1:
            f.accepted += accepted
            f.platform_returned += returned
    chosen = sorted({h for h, _ in figures})
    agreed = await repository.agreed_prices(session, chosen)
    suppliers = await repository.suppliers(session, [month], chosen)
    distributor_names = await registry.names(session, companies={d for _, d in agreed.values() if d})
    text = month_text(month)
    return [_judged(h, products[product], f, month=text, agreed=agreed.get((h, product), (None, None)),
                    suppliers=suppliers, distributor_names=distributor_names, unmapped=len(unmapped_codes.get(h, ())),
                    month_first=month)
            for (h, product), f in sorted(figures.items())
            if f.purchased or f.returned or f.accepted or f.platform_returned]  # else only a neighbour's


def _judged(h: str, product: Product, f: Figures, *, month: str, agreed: tuple, suppliers: dict,
            distributor_names: dict, unmapped: int, month_first: date) -> dict:
    """One hospital × product row with its explain (the rule: the package's docstring)."""
    zero = Decimal(0)
    view, rules = product.view, product.rules
    before, this, after = f.his
    p_before, p_this, p_after = f.platform
    gap = this[0] - p_this[0]
    from_next = from_previous = zero
    if gap > 0:
        spare_next = max(zero, min(p_after[1], p_after[0] - after[0]))
        spare_previous = max(zero, min(p_before[2], p_before[0] - before[0]))
        from_next = min(gap, spare_next, max(zero, this[2]))
        from_previous = min(gap - from_next, spare_previous, max(zero, this[1]))
    off = max(zero, gap - from_next - from_previous)
    share = (off / this[0]).quantize(FOUR, ROUND_HALF_UP) if this[0] > 0 else None
    limit = rules.off_platform_alert_share
    price_fen, distributor = agreed
    named = set().union(*(suppliers.get((h, c, month_first), ()) for c in f.codes))
    designated = distributor_names.get(distributor) if distributor else None
    purchased, returned = quantity_text(f.purchased), quantity_text(f.returned)
    explain = {
        "rule": "MON-11", "preset": rules.preset,
        "formula": "off-platform = max(0, HIS net − platform net − matched across the month's end)",
        "his_net": f"purchases {purchased} − returns {returned} stocked in in {month}, in catalog units "
                   "(HIS units ÷ units per catalog unit)",
        "platform_net": f"accepted {f.accepted} − returned {f.platform_returned} in {month}",
        "window_days": rules.his_match_window_days, "matched_with_next_month": quantity_text(from_next),
        "matched_with_previous_month": quantity_text(from_previous), "threshold_share": format(limit, "f"),
        "codes": sorted(f.codes), "seeds": "000/002/004 不得线下采购; 通过招采系统进行交易"}
    if unmapped:
        explain["unmapped_codes_this_month"] = unmapped
    return {
        "hospital_code": h, "batch_code": view.batch_code, "product_id": view.product_id, "product_name": view.name,
        "month": month, "his_purchased": purchased, "his_returned": returned, "his_net": quantity_text(this[0]),
        "platform_accepted": f.accepted, "platform_returned": f.platform_returned,
        "platform_net": quantity_text(p_this[0]), "matched_across_month_end": quantity_text(from_next + from_previous),
        "off_platform": quantity_text(off), "off_platform_share": None if share is None else format(share, "f"),
        "platform_surplus": quantity_text(max(zero, -gap)), "alert": off > 0 and share is not None and share > limit,
        "highest_his_price": None if f.max_price is None else format_yuan(
            int((f.max_price * 100).quantize(Decimal(1), ROUND_HALF_UP))),
        "agreed_price": None if price_fen is None else format_yuan(price_fen),
        "price_above_agreed": f.max_price is not None and price_fen is not None and f.max_price * 100 > price_fen,
        "designated_distributor": designated,
        "other_suppliers": sorted(s for s in named if designated is None or s != designated),
        "explain": explain}


async def visible_reconciliation(session: AsyncSession, *, principal: Principal, month: str | None, today: date,
                                 hospital_code: str | None, batch_code: str | None, region_code: str | None,
                                 alert: bool | None = None, cursor: str | None = None,
                                 limit: int | None = None) -> tuple[str, list[dict], str | None]:
    """The month read (YYYY-MM; the one before today's when not given), a page of its rows the
    caller may see, and the cursor of the next page — GW-5 (ReadScope): a hospital its own rows,
    an insurer its region's, the exchange and admins all; a company none (these are hospitals'
    purchases). A page holds whole hospitals, at most ``limit`` rows unless one hospital alone
    has more; the cursor is the last hospital's code. No ``limit``: every row (a download), up to
    one past the download's maximum."""
    chosen = chosen_month(month, today)
    scope = ReadScope.of(principal, hospital_code=hospital_code)
    if scope.nothing or scope.company_code:
        return month_text(chosen), [], None
    regions = await registry.institution_regions(session)
    candidates = [h for h in await repository.hospitals_of_month(session, chosen)
                  if scope.shows_hospital(h) and (cursor is None or h > cursor)
                  and scope.covers(regions.get(h)) and covered(regions.get(h), region_code)]
    shown: list[dict] = []
    for start in range(0, len(candidates), HOSPITALS_PER_ROUND):
        if limit is not None and len(shown) >= limit:  # full: no round is computed for the next page
            return month_text(chosen), shown, candidates[start - 1]
        round_ = candidates[start:start + HOSPITALS_PER_ROUND]
        found: dict[str, list[dict]] = defaultdict(list)
        for row in await reconcile(session, month=chosen, hospitals=round_):
            if not (batch_code and row["batch_code"] != batch_code) and (alert is None or row["alert"] == alert):
                found[row["hospital_code"]].append(row)
        names = await registry.names(session, institutions=set(found))
        for index, h in enumerate(round_):
            rows = [{**r, "hospital_name": names.get(h), "region_code": regions.get(h)} for r in found.get(h, ())]
            if limit is not None and shown and len(shown) + len(rows) > limit:
                return month_text(chosen), shown, round_[index - 1] if index else candidates[start - 1]
            shown += rows
        if limit is None and len(shown) > DOWNLOAD_MAX_ROWS:
            break  # the download refuses it, naming the maximum
    return month_text(chosen), shown, None


async def reconcile_all(session: AsyncSession, *, month: date) -> list[dict]:
    """Every hospital's rows of ``month``, a round of hospitals at a time (the month's check)."""
    hospitals = await repository.hospitals_of_month(session, month)
    rows = []
    for start in range(0, len(hospitals), HOSPITALS_PER_ROUND * 8):
        rows += await reconcile(session, month=month, hospitals=hospitals[start:start + HOSPITALS_PER_ROUND * 8])
    return rows


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
    for h, product, _, accepted, returned in platform_rows:
        if product in ours:
            platform[h] += accepted - returned
    return {h: (platform.get(h, Decimal(0)), his[h]) for h in his}
