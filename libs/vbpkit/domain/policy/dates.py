"""Every date a batch's execution policy drives, computed once for every service.

Before this module the cycle and agreement-year arithmetic was written twice (catalog's
batch service, contracts' catalog view); a second copy is a second chance to disagree
about 29 February. Each rule is a pure function returning its value with an ``explain``
dict (DESIGN §3: every computed figure carries the rule id, the preset and its inputs).

Dates are calendar dates in Asia/Shanghai; "month end" is the last calendar day (§3). A
month is given as the date of its first day.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vbpkit.domain.policy.rules import (
    AfterCycleEnd,
    BeforeStart,
    DaysAfterAcceptance,
    EndOfMonthAfterStart,
    EndOfNthMonth,
    ExecutionPolicy,
)

T = TypeVar("T")


class Explained(BaseModel, Generic[T]):
    """A computed value and how it was derived: {"rule", "preset", inputs…, result}."""

    model_config = ConfigDict(frozen=True)

    value: T
    explain: dict[str, Any]


class Cycle(BaseModel):
    """A batch's execution cycle as now in force (CAT-1).

    ``ends_on`` is the last day in force: an extension moves it later and an early end
    (seed 000: the category entered national VBP) moves it to the early end's day, so every
    rule below honours both without knowing which happened.
    """

    model_config = ConfigDict(frozen=True)

    starts_on: date
    ends_on: date
    preset: str | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> Cycle:
        if self.ends_on < self.starts_on:
            raise ValueError(f"the cycle ends ({self.ends_on}) before it starts ({self.starts_on})")
        return self


class YearBounds(BaseModel):
    model_config = ConfigDict(frozen=True)

    year: int = Field(ge=1)
    first: date
    last: date


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def _end_of_nth_month(start: date, n: int) -> date:
    # §4: month 1 is the start's own month.
    first = _add_months(start, n - 1)
    return month_end(first.year, first.month)


def _anniversary(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February: the anniversary in a common year is 1 March
        return start.replace(year=start.year + years, day=28) + timedelta(days=1)


# --- CAT-1 cycle ------------------------------------------------------------------------


def cycle_end(starts_on: date, years: int, *, preset: str | None = None) -> Explained[date]:
    """CAT-1: the last day of a cycle of whole years is the day before the start's
    anniversary (seed 000: a 2-year cycle from 2025-06-20 runs to 2027-06-19)."""
    if years < 1:
        raise ValueError(f"a cycle has at least one year, got {years}")
    ends_on = _anniversary(starts_on, years) - timedelta(days=1)
    return Explained(value=ends_on, explain={
        "rule": "CAT-1", "preset": preset, "starts_on": starts_on.isoformat(), "cycle_years": years,
        "formula": "starts_on + cycle_years − 1 day", "ends_on": ends_on.isoformat(),
    })


# --- CON-2 agreement years --------------------------------------------------------------


def agreement_years(cycle: Cycle) -> Explained[int]:
    """CON-2 "agreements are signed every year of the cycle": year 1 runs from the start;
    a cycle extended past an anniversary gains a (short) last year, one ended early loses
    the years after the early end."""
    years = 1
    while _anniversary(cycle.starts_on, years) <= cycle.ends_on:
        years += 1
    return Explained(value=years, explain={
        "rule": "CON-2", "preset": cycle.preset, "starts_on": cycle.starts_on.isoformat(),
        "ends_on": cycle.ends_on.isoformat(), "agreement_years": years,
    })


def agreement_year_bounds(cycle: Cycle, year: int) -> Explained[YearBounds]:
    """CON-2: agreement year ``year`` runs from the start's (year − 1)-th anniversary to the
    day before the next one, cut at the cycle's end in force (early end or extension)."""
    count = agreement_years(cycle).value
    if not 1 <= year <= count:
        raise ValueError(f"the cycle {cycle.starts_on}…{cycle.ends_on} has agreement years 1–{count}, not {year}")
    first = _anniversary(cycle.starts_on, year - 1)
    last = min(_anniversary(cycle.starts_on, year) - timedelta(days=1), cycle.ends_on)
    return Explained(value=YearBounds(year=year, first=first, last=last), explain={
        "rule": "CON-2", "preset": cycle.preset, "starts_on": cycle.starts_on.isoformat(),
        "ends_on": cycle.ends_on.isoformat(), "year": year, "first": first.isoformat(), "last": last.isoformat(),
    })


def agreement_year_of(cycle: Cycle, day: date) -> Explained[int | None]:
    """CON-2/CON-4: the agreement year ``day`` falls in; None outside the cycle in force
    (before the start, or after an early end or the planned end)."""
    year = None
    if cycle.starts_on <= day <= cycle.ends_on:
        year = 1
        while _anniversary(cycle.starts_on, year) <= day:
            year += 1
    return Explained(value=year, explain={
        "rule": "CON-2", "preset": cycle.preset, "starts_on": cycle.starts_on.isoformat(),
        "ends_on": cycle.ends_on.isoformat(), "day": day.isoformat(), "agreement_year": year,
    })


def ordering_year(cycle: Cycle, day: date, stocking_days: int) -> Explained[int | None]:
    """CON-4 with CON-9: the agreement year an order placed on ``day`` counts towards — the year
    ``day`` falls in, or year 1 in the ``stocking_days`` before the start (seed 001 提前备货)."""
    found = agreement_year_of(cycle, day)
    stocking = found.value is None and 0 <= (cycle.starts_on - day).days <= stocking_days
    return Explained(value=1 if stocking else found.value, explain={
        **found.explain, "rule": "CON-9" if stocking else "CON-2", "stocking_days_before_start": stocking_days,
        "agreement_year": 1 if stocking else found.value})


# --- SET-3 prepayment tranches ----------------------------------------------------------


def _due_on(rule: EndOfMonthAfterStart | EndOfNthMonth | BeforeStart, start: date) -> date:
    if isinstance(rule, EndOfMonthAfterStart):
        return _end_of_nth_month(start, 2)
    if isinstance(rule, EndOfNthMonth):
        return _end_of_nth_month(start, rule.month)
    return start - timedelta(days=rule.days_before + 1)


class TrancheDue(BaseModel):
    """One prepayment tranche's share and due date, with how it was derived (SET-3)."""

    model_config = ConfigDict(frozen=True)

    share: Decimal
    due_on: date
    explain: dict[str, Any]


def tranche_schedule(policy: ExecutionPolicy, start: date) -> list[TrancheDue]:
    """SET-3/§4: each tranche of ``policy`` with its due date from the execution start.

    Chongqing (seeds 000/002/003): 50 % by the end of the month after the start, the rest
    by the end of the 6th month, the start's month being month 1 (2025-06-20 → 2025-07-31
    and 2025-11-30); Liaoning (seed 001): all before the start; Chuxiong (seed 004, silent):
    all by the end of the month after the start. Explain: {"rule": "SET-3", "preset",
    "start", "tranche", "share", "due", "due_on"}.
    """
    schedule = []
    for number, tranche in enumerate(policy.tranches, start=1):
        due_on = _due_on(tranche.due, start)
        explain = {
            "rule": "SET-3",
            "preset": policy.preset,
            "start": start.isoformat(),
            "tranche": number,
            "share": str(tranche.share),
            "due": tranche.due.model_dump(mode="json"),
            "due_on": due_on.isoformat(),
        }
        schedule.append(TrancheDue(share=tranche.share, due_on=due_on, explain=explain))
    return schedule


def tranche_due_dates(policy: ExecutionPolicy, start: date) -> list[date]:
    """The due date of each tranche of ``policy``, in order (SET-3); `tranche_schedule`
    gives the same dates with their shares and explain objects."""
    return [due.due_on for due in tranche_schedule(policy, start)]


# --- SET-1 supplier payment -------------------------------------------------------------


def supplier_payment_due(policy: ExecutionPolicy, accepted_on: date) -> Explained[date]:
    """SET-1: the hospital pays the supplier by the end of the month after the delivery
    was accepted (seeds 000–003: 交货验收合格后的次月底), or within N days of acceptance
    (seed 004: 从交货验收合格至结清货款原则上不得超过30天)."""
    rule = policy.supplier_payment_due
    if isinstance(rule, DaysAfterAcceptance):
        due_on = accepted_on + timedelta(days=rule.days)
    else:
        due_on = _end_of_nth_month(accepted_on, 2)
    return Explained(value=due_on, explain={
        "rule": "SET-1", "preset": policy.preset, "accepted_on": accepted_on.isoformat(),
        "due": rule.model_dump(mode="json"), "due_on": due_on.isoformat(),
    })


# --- SET-4 offsets and refund -----------------------------------------------------------


def first_offset_month(policy: ExecutionPolicy, cycle: Cycle) -> Explained[date]:
    """SET-4: the first month whose fund payable the outstanding prepayment is deducted from.

    After the cycle (seeds 000/002/003: 采购周期结束后的次月起; seed 001: 采购周期结束后清算收回):
    the month after the cycle's end in force, so an early end brings it forward and an
    extension pushes it back. Progressive (seed 004: 按照医疗机构采购进度…逐步冲抵): from the
    month the execution starts, the target growing with the accepted amount.
    """
    rule = policy.offsets
    month = _add_months(cycle.ends_on, 1) if isinstance(rule, AfterCycleEnd) else _add_months(cycle.starts_on, 0)
    return Explained(value=month, explain={
        "rule": "SET-4", "preset": policy.preset, "offsets": rule.model_dump(mode="json"),
        "starts_on": cycle.starts_on.isoformat(), "ends_on": cycle.ends_on.isoformat(),
        "first_offset_month": month.isoformat()[:7],
    })


def refund_month(policy: ExecutionPolicy, cycle: Cycle) -> Explained[date | None]:
    """SET-4: the month in which what is still outstanding is demanded back from the
    hospital — ``refund_after_months`` after offsets start (seeds 000/002: 超过一年未抵扣完毕
    的…全部退回 → 12 months); None where the preset keeps deducting until cleared (seeds
    001, 003) or offsets are progressive (seed 004)."""
    rule = policy.offsets
    month = None
    if isinstance(rule, AfterCycleEnd) and rule.refund_after_months is not None:
        month = _add_months(first_offset_month(policy, cycle).value, rule.refund_after_months)
    return Explained(value=month, explain={
        "rule": "SET-4", "preset": policy.preset, "offsets": rule.model_dump(mode="json"),
        "ends_on": cycle.ends_on.isoformat(), "refund_month": month.isoformat()[:7] if month else None,
    })
