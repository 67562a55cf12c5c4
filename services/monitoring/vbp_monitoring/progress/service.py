"""MON-1 采购进度: how far each hospital has bought what it agreed, against the time passed.

Per hospital × agreement item of an agreement year: agreed, accepted to ``as_of`` net of
returns (accepted in the year and by ``as_of``, returned by ``as_of``), completion =
accepted ÷ agreed, and the time-proportional target 序时进度 = elapsed days ÷ days in the
agreement year. ``behind`` when completion < target − the policy's tolerance (default 10
points, ``ExecutionPolicy.progress_tolerance_points``).

An item accrues no target on the days its product is suspended or disqualified (issue 25: a
supplier's failure is not the hospital's; its orders for the product are refused, CON-4): the
target is (elapsed days − those days) ÷ days in the year, and a product listed again accrues
from that day. The explain names each halt with its reason.

A batch ended early (seed 000: the category entered national VBP) cuts its agreement year
at the early end; the agreed volume is then assessed pro rata (CAT-1): agreed × days of the
cut year ÷ days of the whole year, half-up, and the target reaches 1 on the early end.

Which year: ``year`` if asked, else the one ``as_of`` falls in (the last year after the
cycle, the first before it). Roll-ups (company group — a hospital's items of one company in one
group, assessed together where the policy's ``assess_by`` says so, seed 001 同企业、同组别的中选产品
可合并考核 — hospital, company, batch, region) add amounts:
completion = accepted amount ÷ assessed agreed amount, and their target is the assessed
agreed amount's weighted mean of their items' targets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.web.identity import Principal
from vbpkit.domain.money import format_yuan
from vbpkit.domain.policy.dates import Cycle, agreement_year_bounds, agreement_year_of, agreement_years
from vbpkit.web.problems import Problem
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.projections.registry import repository as registry
from vbpkit.domain.regions import is_known
from vbpkit.web.read_scope import ReadScope, covered

from vbp_monitoring.progress import repository

FOUR = Decimal("0.0001")
HALTING = ("suspended", "disqualified")
GROUPS = ("item", "company_group", "hospital", "company", "batch", "region")


@dataclass
class Line:
    """One row of progress: an item, or a roll-up of items."""

    key: dict
    agreed_quantity: int = 0
    assessed_quantity: int = 0
    accepted_quantity: int = 0
    agreed_fen: int = 0
    assessed_fen: int = 0
    accepted_fen: int = 0
    weighted_target: Decimal = Decimal(0)  # Σ target × assessed amount
    tolerance_points: int = 10
    explain: dict = field(default_factory=dict)

    @property
    def completion(self) -> Decimal:
        if self.assessed_fen <= 0:
            return Decimal(1) if self.accepted_fen > 0 else Decimal(0)
        return (Decimal(self.accepted_fen) / Decimal(self.assessed_fen)).quantize(FOUR, ROUND_HALF_UP)

    @property
    def target(self) -> Decimal:
        if self.assessed_fen <= 0:
            return Decimal(0)
        return (self.weighted_target / Decimal(self.assessed_fen)).quantize(FOUR, ROUND_HALF_UP)

    @property
    def behind(self) -> bool:
        return self.completion < self.target - Decimal(self.tolerance_points) / 100


def year_of(cycle: Cycle, as_of: date, asked: int | None) -> int:
    count = agreement_years(cycle).value
    if asked is not None:
        if not 1 <= asked <= count:
            raise Problem(422, detail=f"the batch has agreement years 1–{count}",
                          errors=[{"field": "query.year", "reason": f"not between 1 and {count}"}])
        return asked
    year = agreement_year_of(cycle, as_of).value
    return year if year is not None else (1 if as_of < cycle.starts_on else count)


def schedule_of(batch, year: int, as_of: date) -> dict:
    """The year's bounds in force, its whole length, the days elapsed by ``as_of`` and the target."""
    cycle = batch.cycle
    cut = agreement_year_bounds(cycle, year).value
    whole = agreement_year_bounds(Cycle(starts_on=cycle.starts_on, ends_on=date(cycle.starts_on.year + year + 1, 12, 31),
                                        preset=cycle.preset), year).value
    days = (cut.last - cut.first).days + 1
    whole_days = (whole.last - whole.first).days + 1
    elapsed = min(max((as_of - cut.first).days + 1, 0), days)
    return {"first": cut.first, "last": cut.last, "days": days, "whole_days": whole_days, "elapsed": elapsed,
            "target": (Decimal(elapsed) / Decimal(days)).quantize(FOUR, ROUND_HALF_UP)}


async def progress(session: AsyncSession, *, principal: Principal, as_of: date, batch_code: str | None,
                   hospital_code: str | None, company_code: str | None, region_code: str | None, year: int | None,
                   group_by: str) -> list[Line]:
    scope = ReadScope.of(principal, hospital_code=hospital_code, company_code=company_code)
    if scope.nothing:
        return []
    items = await repository.agreed_items(session, batch_code=batch_code, hospital_code=scope.hospital_code,
                                          manufacturer_code=scope.company_code)
    batches = await catalog.batches_by_code(session, {i.batch_code for i in items})
    regions = {}
    for code in {i.hospital_code for i in items}:
        institution = await registry.institution(session, code)
        regions[code] = institution.region_code if institution else None
    years = {code: year_of(b.cycle, as_of, year) for code, b in batches.items()}
    schedules = {code: schedule_of(batches[code], years[code], as_of) for code in batches}
    groups = {p: v.group_code for p, v in (await catalog.products_by_id(session, {i.product_id for i in items})).items()}
    changes = await repository.status_changes(session, {i.product_id for i in items})
    moved = await repository.transfers(session, {i.hospital_code for i in items})
    # CON-9: year 1 counts what was bought in the stocking days before the start
    accepted = {code: await repository.accepted(session, batch_code=code, year=years[code],
                                                first=schedules[code]["first"] - timedelta(
                                                    days=batches[code].policy.stocking_days_before_start
                                                    if years[code] == 1 else 0),
                                                as_of=min(as_of, schedules[code]["last"]))
                for code in batches}
    lines: dict[tuple, Line] = {}
    for item in items:
        if item.batch_code not in batches or item.agreement_year != years[item.batch_code]:
            continue
        region = regions.get(item.hospital_code)
        if not scope.covers(region) or not covered(region, region_code):
            continue
        schedule = item_schedule(schedules[item.batch_code], moved.get(
            (item.batch_code, item.agreement_year, item.hospital_code, item.product_id)), as_of)
        _add(lines, item, batches[item.batch_code], schedule, region, groups.get(item.product_id),
             accepted[item.batch_code].get((item.hospital_code, item.product_id), (0, 0, 0, 0)), group_by, as_of,
             halts(changes.get(item.product_id, []), schedule["first"], min(as_of, schedule["last"])))
    return sorted(lines.values(), key=lambda line: tuple(str(v) for v in line.key.values()))


def item_schedule(schedule: dict, transfer: tuple[str, date] | None, as_of: date) -> dict:
    """CON-7: a failing item's year ends the day before its volume was transferred — assessed pro
    rata like a batch's early end (agreed × its days ÷ the whole year's), the target reaching 1
    on that day; a backup's item new to the hospital runs from the transfer day to the year's end
    and is assessed whole (its agreed quantity is what was moved for those days)."""
    if transfer is None:
        return schedule
    role, on = transfer
    first, last = (schedule["first"], min(schedule["last"], on - timedelta(days=1))) if role == "failing" \
        else (max(schedule["first"], on), schedule["last"])
    days = max((last - first).days + 1, 0)
    elapsed = min(max((as_of - first).days + 1, 0), days)
    return {**schedule, "first": first, "last": last, "days": days, "elapsed": elapsed,
            "whole_days": schedule["whole_days"] if role == "failing" else days,
            "target": (Decimal(elapsed) / Decimal(days)).quantize(FOUR, ROUND_HALF_UP) if days else Decimal(1),
            "transfer": {"role": role, "transfer_on": on.isoformat()}}


def halts(changes: list[tuple[date, str, str]], first: date, last: date) -> list[dict]:
    """The periods within [first, last] in which the product was suspended or disqualified."""
    found = []
    for index, (day, status, reason) in enumerate(changes):
        if status not in HALTING:
            continue
        ends = changes[index + 1][0] - timedelta(days=1) if index + 1 < len(changes) else last
        start, stop = max(day, first), min(ends, last)
        if start <= stop:
            found.append({"from": start.isoformat(), "to": stop.isoformat(), "status": status, "reason": reason,
                          "days": (stop - start).days + 1})
    return found


def _add(lines: dict, item, batch, schedule: dict, region: str | None, group: str | None, got: tuple, group_by: str,
         as_of: date, halted: list[dict]) -> None:
    accepted_q, returned_q, accepted_fen, returned_fen = got
    halted_days = sum(h["days"] for h in halted)
    target = (Decimal(schedule["elapsed"] - halted_days) / Decimal(schedule["days"])).quantize(
        FOUR, ROUND_HALF_UP) if halted_days else schedule["target"]
    assessed = (Decimal(item.agreed_quantity) * schedule["days"] / schedule["whole_days"]).quantize(
        Decimal(1), ROUND_HALF_UP) if schedule["whole_days"] else Decimal(0)
    key = {"item": {"batch_code": item.batch_code, "agreement_year": item.agreement_year,
                    "hospital_code": item.hospital_code, "company_code": item.manufacturer_code,
                    "product_id": item.product_id},
           "company_group": {"batch_code": item.batch_code, "agreement_year": item.agreement_year,
                             "hospital_code": item.hospital_code, "company_code": item.manufacturer_code,
                             "group_code": group},
           "hospital": {"hospital_code": item.hospital_code},
           "company": {"company_code": item.manufacturer_code},
           "batch": {"batch_code": item.batch_code},
           "region": {"region_code": region}}[group_by]
    line = lines.setdefault(tuple(key.values()), Line(key=key,
                                                      tolerance_points=batch.policy.progress_tolerance_points))
    assessed_fen = int(assessed) * item.unit_price_fen
    line.agreed_quantity += item.agreed_quantity
    line.assessed_quantity += int(assessed)
    line.accepted_quantity += accepted_q - returned_q
    line.agreed_fen += item.agreed_quantity * item.unit_price_fen
    line.assessed_fen += assessed_fen
    line.accepted_fen += accepted_fen - returned_fen
    line.weighted_target += target * assessed_fen
    if group_by == "item":
        line.explain = {
            "rule": "MON-1", "preset": batch.policy.preset, "as_of": as_of.isoformat(),
            "agreement_year": {"year": item.agreement_year, "first": schedule["first"].isoformat(),
                               "last": schedule["last"].isoformat(), "days": schedule["days"]},
            "elapsed_days": schedule["elapsed"],
            "target": f"{target}", "target_formula": "elapsed days ÷ days in the agreement year" if not halted else
            "(elapsed days − days the product was suspended or disqualified) ÷ days in the agreement year: a "
            "supplier's failure is not counted against the hospital (issue 25)",
            **({"halted": halted, "halted_days": halted_days} if halted else {}),
            **({"transfer": _transfer_explain(schedule)} if "transfer" in schedule else {}),
            "agreed": item.agreed_quantity,
            "assessed": int(assessed), "assessed_formula": (
                f"agreed × {schedule['days']} ÷ {schedule['whole_days']} days: the year cut at "
                + ("the transfer (CON-7)" if "transfer" in schedule else "the batch's early end")
                if schedule["days"] != schedule["whole_days"] else "agreed (a whole year)"
                if "transfer" not in schedule else "agreed: the volume moved for the rest of the year (CON-7)"),
            "accepted": accepted_q, "returned": returned_q, "accepted_net": accepted_q - returned_q,
            "accepted_amount": format_yuan(accepted_fen - returned_fen),
            "completion_formula": "accepted amount net of returns ÷ assessed agreed amount",
            "tolerance_points": batch.policy.progress_tolerance_points,
            "behind_when": "completion < target − tolerance",
        }
    else:
        line.explain = {"rule": "MON-1", "as_of": as_of.isoformat(), "group_by": group_by,
                        "completion_formula": "Σ accepted amount ÷ Σ assessed agreed amount",
                        "target_formula": "the items' targets weighted by their assessed agreed amounts",
                        **({"assess_by": batch.policy.assess_by} if group_by == "company_group" else {})}


async def selected(session: AsyncSession, *, region_code: str | None, behind: bool | None = None,
                   **query) -> list[Line]:
    """Every row of ``progress`` the filters select; ``behind`` keeps the rows behind (or not)."""
    if region_code and not is_known(region_code):
        raise Problem(422, detail=f"unknown region {region_code}",
                      errors=[{"field": "query.region_code", "reason": "not a known administrative region code"}])
    lines = await progress(session, region_code=region_code, **query)
    lines = lines if behind is None else [line for line in lines if line.behind is behind]
    known = await registry.names(session, institutions={line.key.get("hospital_code") for line in lines},
                                 companies={line.key.get("company_code") for line in lines})
    for line in lines:  # issue 23: the names beside the codes of what the row is
        for code, name in (("hospital_code", "hospital_name"), ("company_code", "company_name")):
            if code in line.key:
                line.key[name] = known.get(line.key[code])
    return lines


async def page(session: AsyncSession, *, cursor: int, limit: int | None, **query) -> tuple[list[Line], int | None]:
    """A page of ``selected`` (``cursor`` is the offset of its first row; no ``limit``: every
    row from there) and the next cursor."""
    lines = await selected(session, **query)
    if limit is None:
        return lines[cursor:], None
    return lines[cursor:cursor + limit], (cursor + limit if cursor + limit < len(lines) else None)


def _transfer_explain(schedule: dict) -> dict:
    transfer = schedule["transfer"]
    if transfer["role"] == "failing":
        return {**transfer, "rule": "CON-7", "meaning": f"the volume left was moved to a backup; this item is assessed "
                f"from {schedule['first']} to {schedule['last']}, pro rata, as an early end"}
    return {**transfer, "rule": "CON-7", "meaning": f"the volume was moved here from a failing product; assessed from "
            f"{schedule['first']} to {schedule['last']}"}
