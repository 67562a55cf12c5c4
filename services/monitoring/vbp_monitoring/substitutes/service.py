"""MON-5 substitutes (seeds 000/002: 异常使用, buying a non-winning product instead): per
hospital, batch group and month, the share of non-winning quantity in the group's purchases
= non-winning ÷ (non-winning + winning accepted). The exchange pushes the non-winning
purchases monthly; the winning ones are the accepted deliveries monitoring keeps.

An alert (kind ``substitutes``, period the month) when a finished month's share is above the
policy's ``substitute_share_alert`` (default 0.3), or rose more than
``substitute_rise_points`` (default 10) over the month before. A month is judged once it has
ended, when its push has come.

A cut-off (seed 001: 不得单一采购中选产品、对非中选产品“一刀切”简单停用) is alerted too (kind
``non_winning_cutoff``): a month in which a hospital bought the group's winning products and
none of its non-winning ones, after a month whose non-winning share was above the policy's
``non_winning_cutoff_share`` (default 0.05).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.web.identity import Principal
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.projections.registry import repository as registry
from vbpkit.web.read_scope import ReadScope

from vbp_monitoring.substitutes import repository
from vbp_monitoring.substitutes.schemas import NonWinningRow

FOUR = Decimal("0.0001")


def _first(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def _previous(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


async def push(session: AsyncSession, rows: list[NonWinningRow]) -> dict:
    groups = await repository.known_groups(session)
    hospitals = await registry.known_institutions(session, {r.hospital_code for r in rows})
    good, errors, seen = [], [], {}
    for index, row in enumerate(rows, start=1):  # numbered from 1 (the bulk convention)
        key = (row.hospital_code, row.batch_code, row.group_code, row.product, row.month)
        if row.hospital_code not in hospitals:
            errors.append({"row": index, "field": "hospital_code", "reason": "not a known institution"})
        elif (row.batch_code, row.group_code) not in groups:
            errors.append({"row": index, "field": "group_code",
                           "reason": f"no group {row.group_code} in batch {row.batch_code} known to monitoring"})
        elif key in seen:
            errors.append({"row": index, "field": "row", "reason": f"repeats row {seen[key]}"})
        else:
            seen[key] = index
            good.append(dict(hospital_code=row.hospital_code, batch_code=row.batch_code, group_code=row.group_code,
                             product=row.product, month=_first(row.month), quantity=row.quantity,
                             amount_fen=row.amount))
    await repository.put(session, good)
    return {"received": len(rows), "stored": len(good), "errors": errors}


async def shares(session: AsyncSession, *, until: date) -> list[dict]:
    """Every (hospital, batch, group, month) with purchases, up to ``until``'s month, judged."""
    non = await repository.non_winning(session, until=until)
    won = await repository.winning(session, until=until)
    batches = await catalog.batches_by_code(session, {k[1] for k in {*non, *won}})
    found = []

    def share_of(key) -> Decimal | None:
        total = non.get(key, 0) + won.get(key, 0)
        return (Decimal(non.get(key, 0)) / total).quantize(FOUR, ROUND_HALF_UP) if total else None

    for key in sorted({*non, *won}):
        hospital, batch_code, group, month = key
        batch = batches.get(batch_code)
        if batch is None or non.get(key, 0) == 0:
            continue
        share = share_of(key)
        previous = share_of((hospital, batch_code, group, _previous(month)))
        limit, rise = Decimal(batch.policy.substitute_share_alert), batch.policy.substitute_rise_points
        above = share > limit
        rose = previous is not None and share - previous > Decimal(rise) / 100
        found.append({"hospital_code": hospital, "batch_code": batch_code, "group_code": group,
                      "month": month.isoformat()[:7], "winning_quantity": won.get(key, 0),
                      "non_winning_quantity": non.get(key, 0), "share": share, "previous_share": previous,
                      "alert": above or rose, "explain": {
                          "rule": "MON-5", "preset": batch.policy.preset,
                          "formula": "non-winning ÷ (non-winning + winning accepted) of the group, the month",
                          "threshold": format(limit.normalize(), "f"), "rise_points": rise,
                          "above_threshold": above, "rose_more_than_allowed": rose}})
    return found


async def visible_shares(session: AsyncSession, *, principal: Principal, until: date, batch_code: str | None,
                         hospital_code: str | None) -> list[dict]:
    scope = ReadScope.of(principal, hospital_code=hospital_code)
    if scope.nothing or scope.company_code:
        return []  # a company's own products are winning ones; substitutes are hospitals' purchases
    regions: dict[str, str | None] = {}
    rows = []
    for row in await shares(session, until=until):
        if (batch_code and row["batch_code"] != batch_code) or not scope.shows_hospital(row["hospital_code"]):
            continue
        if row["hospital_code"] not in regions:
            institution = await registry.institution(session, row["hospital_code"])
            regions[row["hospital_code"]] = institution.region_code if institution else None
        if scope.covers(regions[row["hospital_code"]]):
            rows.append(row)
    return rows


async def alerts_due(session: AsyncSession, *, today: date, region_of) -> list[dict]:
    """The substitute alerts of the months ended by ``today``, as alert rows."""
    this_month = today.replace(day=1)
    rows = []
    for row in await shares(session, until=this_month - timedelta(days=1)):  # the months ended
        if row["alert"]:
            rows.append(dict(kind="substitutes", rule="MON-5", period=row["month"], batch_code=row["batch_code"],
                             hospital_code=row["hospital_code"], company_code="", product_id=0,
                             group_code=row["group_code"],
                             region_code=await region_of(row["hospital_code"]), raised_on=today, details={
                                 **row["explain"], "group_code": row["group_code"], "month": row["month"],
                                 "share": str(row["share"]),
                                 "previous_share": None if row["previous_share"] is None else str(row["previous_share"]),
                                 "winning_quantity": row["winning_quantity"],
                                 "non_winning_quantity": row["non_winning_quantity"]}))
    return rows


async def cutoffs_due(session: AsyncSession, *, today: date, region_of) -> list[dict]:
    """MON-5 一刀切: the months ended by ``today`` in which a hospital's non-winning share of a group
    fell to zero from above the policy's level, while it kept buying the group's winners."""
    until = today.replace(day=1) - timedelta(days=1)
    non = await repository.non_winning(session, until=until)
    won = await repository.winning(session, until=until)
    batches = await catalog.batches_by_code(session, {k[1] for k in {*non, *won}})
    rows = []
    for key in sorted(won):
        hospital, batch_code, group, month = key
        before = (hospital, batch_code, group, _previous(month))
        total = non.get(before, 0) + won.get(before, 0)
        batch = batches.get(batch_code)
        if batch is None or non.get(key, 0) or not total:
            continue
        share = (Decimal(non.get(before, 0)) / total).quantize(FOUR, ROUND_HALF_UP)
        level = Decimal(batch.policy.non_winning_cutoff_share)
        if share <= level:
            continue
        rows.append(dict(kind="non_winning_cutoff", rule="MON-5", period=month.isoformat()[:7], batch_code=batch_code,
                         hospital_code=hospital, company_code="", product_id=0, group_code=group,
                         region_code=await region_of(hospital), raised_on=today, details={
                             "rule": "MON-5", "preset": batch.policy.preset, "group_code": group,
                             "month": month.isoformat()[:7], "previous_month": _previous(month).isoformat()[:7],
                             "previous_share": str(share), "share": "0.0000", "level": format(level.normalize(), "f"),
                             "winning_quantity": won[key], "previous_non_winning_quantity": non.get(before, 0),
                             "why": "non-winning products of the group bought one month and none the next "
                                    "(seed 001: 不得…对非中选产品“一刀切”简单停用)"}))
    return rows
