"""Batch execution policy (执行政策) and its presets (DESIGN §4).

Every rule of DESIGN §3 is configurable per batch through its execution policy. A batch
names a preset and may override fields of it; `policy_from_preset` deep-merges the
overrides into the preset and validates the result, so a stored batch policy is always a
complete, valid `ExecutionPolicy`.

Ratios and coefficients are `Decimal`s and are refused as floats, for the reason the money
kit gives (vbpkit.money): 0.1 + 0.2 is not 0.3; send them as decimal strings ("0.5").
"""

import calendar
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError


# ValueError, not TypeError, below: pydantic turns only ValueError into a located error.
def _refuse_inexact(value: object) -> object:
    # bool is an int subclass (True would become 1); a float is not exact (0.3 != 3/10).
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, float):
        raise ValueError("floats are not exact; send the number as a decimal string, e.g. \"0.5\"")
    return value


def _refuse_bool(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    return value


Ratio = Annotated[Decimal, BeforeValidator(_refuse_inexact), Field(ge=0, le=1)]
NonNegativeDecimal = Annotated[Decimal, BeforeValidator(_refuse_inexact), Field(ge=0)]
PositiveDecimal = Annotated[Decimal, BeforeValidator(_refuse_inexact), Field(gt=0)]
Share = Annotated[Decimal, BeforeValidator(_refuse_inexact), Field(gt=0, le=1)]
Points = Annotated[int, BeforeValidator(_refuse_bool), Field(ge=0, le=100)]


class _Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- CON-3 renewal (续签) -----------------------------------------------------------------


class PerItemOfPreviousAgreed(_Rule):
    """Each item's year N+1 quantity ≥ min_ratio × its year-N agreed quantity (seed 000:
    约定采购量原则上不少于该中选产品上一年度约定采购量)."""

    kind: Literal["per_item_of_previous_agreed"] = "per_item_of_previous_agreed"
    min_ratio: NonNegativeDecimal


class PerItemOfFirstYear(_Rule):
    """Each item's quantity in later years ≥ min_ratio × its first-year agreed quantity
    (seed 001: 次年协议量原则上不低于首年协议量)."""

    kind: Literal["per_item_of_first_year"] = "per_item_of_first_year"
    min_ratio: NonNegativeDecimal


class StentRenewal(_Rule):
    """Seed 003: a hospital's total ≥ 95% of its previous year's actual purchases, and per
    company ≥ 90% of that company's previous agreed volume."""

    kind: Literal["stent"] = "stent"
    hospital_total_min_ratio_of_previous_actual: NonNegativeDecimal
    company_min_ratio_of_previous_agreed: NonNegativeDecimal


class Retender(_Rule):
    """Seed 004: at expiry the category is renewed or re-tendered (续约和重新招采); there is no
    year-over-year quantity check to apply."""

    kind: Literal["retender"] = "retender"


RenewalRule = Annotated[
    PerItemOfPreviousAgreed | PerItemOfFirstYear | StentRenewal | Retender,
    Field(discriminator="kind"),
]


# --- SET-3 prepayment tranches ------------------------------------------------------------


class EndOfMonthAfterStart(_Rule):
    """Due on the last day of the month after the execution start's month (次月底)."""

    kind: Literal["end_of_month_after_start"] = "end_of_month_after_start"


class EndOfNthMonth(_Rule):
    """Due on the last day of the n-th month of the cycle; month 1 is the month of the
    execution start (§4: start 2025-06-20, 6th month → 2025-11-30; 采购期第6个月末)."""

    kind: Literal["end_of_nth_month"] = "end_of_nth_month"
    month: int = Field(ge=1)


class BeforeStart(_Rule):
    """Due before the execution start (seed 001: 在采购结果执行前预付到位). "Before" is strict:
    the due date is the day before the start, minus `days_before` further days, so
    days_before=0 is due on start − 1 day."""

    kind: Literal["before_start"] = "before_start"
    days_before: int = Field(ge=0)


DueRule = Annotated[EndOfMonthAfterStart | EndOfNthMonth | BeforeStart, Field(discriminator="kind")]


class Tranche(_Rule):
    """One instalment of the prepayment: its share of the total and when it is due."""

    share: Share
    due: DueRule


# --- SET-4 offsets (抵扣) -------------------------------------------------------------------


class AfterCycleEnd(_Rule):
    """Deduct from the fund payable from the month after the cycle ends. With
    `refund_after_months` set, what is still outstanding that many months later is demanded
    back (seeds 000/002: 超过一年未抵扣完毕的…全部退回); None keeps deducting until cleared."""

    kind: Literal["after_cycle_end"] = "after_cycle_end"
    refund_after_months: int | None = Field(default=None, ge=1)


class ProgressiveByAcceptedAmount(_Rule):
    """Seed 004 (按照医疗机构采购进度…逐步冲抵): cumulative offset target =
    total × min(1, accepted amount ÷ agreed amount)."""

    kind: Literal["progressive_by_accepted_amount"] = "progressive_by_accepted_amount"


OffsetRule = Annotated[AfterCycleEnd | ProgressiveByAcceptedAmount, Field(discriminator="kind")]


# --- SET-1 supplier payment due ----------------------------------------------------------


class EndOfFollowingMonth(_Rule):
    """Seeds 000–003: 结清时间不超过交货验收合格后的次月底."""

    kind: Literal["end_of_following_month"] = "end_of_following_month"


class DaysAfterAcceptance(_Rule):
    """Seed 004: 从交货验收合格至结清货款原则上不得超过30天."""

    kind: Literal["days_after_acceptance"] = "days_after_acceptance"
    days: int = Field(ge=1)


DueAfterAcceptance = Annotated[EndOfFollowingMonth | DaysAfterAcceptance, Field(discriminator="kind")]


class DifferentialCoefficients(_Rule):
    """CAT-8 差比价 coefficients: 1.7 per doubling of strength, 1.95 per doubling of pack
    count (发改价格〔2011〕2452号, the defaults seed 002 refers to)."""

    strength: PositiveDecimal = Decimal("1.7")
    pack: PositiveDecimal = Decimal("1.95")


class ExecutionPolicy(BaseModel):
    """执行政策: how one batch's result is executed (DESIGN §4).

    `buy_below_winning_price` (就低采购, CON-4) is None where the seed is silent; the
    platform then treats buying below the winning price as not allowed, since paying the
    winning price is what every seed requires and an exception needs a written basis.

    The monitoring thresholds are not in any seed; their defaults are DESIGN's: MON-2
    stockpiling factor 2, MON-1 tolerance 10 points, MON-5 substitute share 0.3 and a rise
    of 10 points month over month.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    preset: str = Field(min_length=1)
    renewal: RenewalRule
    buy_below_winning_price: bool | None
    prepayment_ratio: Ratio = Field(description="share of the annual agreed amount prepaid (SET-3)")
    prepayment_frequency: Literal["once_per_cycle", "per_agreement_year"]
    tranches: list[Tranche] = Field(min_length=1)
    offsets: OffsetRule
    supplier_payment_due: DueAfterAcceptance
    direct_settlement: Literal["no", "optional"]
    lower_price_window_working_days: Annotated[int, BeforeValidator(_refuse_bool)] | None = Field(
        default=None, ge=1, description="CAT-6 就低 window in working days; None = rule not applied"
    )
    stockpiling_factor: PositiveDecimal = Decimal(2)
    progress_tolerance_points: Points = 10
    substitute_share_alert: Ratio = Decimal("0.3")
    substitute_rise_points: Points = 10
    differential_pricing: DifferentialCoefficients = DifferentialCoefficients()

    @field_validator("tranches")
    @classmethod
    def _shares_sum_to_one(cls, tranches: list[Tranche]) -> list[Tranche]:
        # SET-6: the tranches must split the whole total, no more and no less.
        total = sum((t.share for t in tranches), Decimal(0))
        if total != 1:
            raise ValueError(f"tranche shares must sum to exactly 1, got {total}")
        return tranches


_CHONGQING_TRANCHES = [
    # 000/002/003: 次月底前将医保预付金的50%预付…在采购期第6个月末，预付剩余金额.
    Tranche(share=Decimal("0.5"), due=EndOfMonthAfterStart()),
    Tranche(share=Decimal("0.5"), due=EndOfNthMonth(month=6)),
]

PRESETS: dict[str, ExecutionPolicy] = {
    "chongqing-2025": ExecutionPolicy(
        preset="chongqing-2025",
        # 000: 约定采购量原则上不少于该中选产品上一年度约定采购量.
        renewal=PerItemOfPreviousAgreed(min_ratio=Decimal("1.0")),
        # 000: 实际采购价格比本次接续采购中选价格低的…可就低开展采购. A seed-002 batch
        # overrides this to False (不得再次议价).
        buy_below_winning_price=True,
        # 000/002: the monitoring centre computes the prepayment (测算医保预付金) with no ratio
        # stated; §4 takes the whole annual agreed amount, 1.0.
        prepayment_ratio=Decimal("1.0"),
        # 000/002: one prepayment at the start, recovered after the cycle (SET-3).
        prepayment_frequency="once_per_cycle",
        tranches=_CHONGQING_TRANCHES,
        # 000/002: 采购周期结束后的次月起…抵扣…超过一年未抵扣完毕的…全部退回.
        offsets=AfterCycleEnd(refund_after_months=12),
        # 000/002: 结清时间不超过交货验收合格后的次月底.
        supplier_payment_due=EndOfFollowingMonth(),
        # 000/002: silent on direct settlement → "no".
        direct_settlement="no",
        # 002 only (20 个工作日内…就低调整): set on a seed-002 batch by override; seed 000
        # has no such rule, so the preset leaves it off.
        lower_price_window_working_days=None,
    ),
    "chongqing-stent-2023": ExecutionPolicy(
        preset="chongqing-stent-2023",
        # 003: 总需求量不得低于上年实际采购量的95%…不低于该中选企业上年协议采购量的90%.
        renewal=StentRenewal(
            hospital_total_min_ratio_of_previous_actual=Decimal("0.95"),
            company_min_ratio_of_previous_agreed=Decimal("0.90"),
        ),
        # 003: 严格执行中选价格，不得再次议价 → not allowed.
        buy_below_winning_price=False,
        # 003: 将中选产品采购金额的50%预付…预付剩余金额 → the whole amount, 1.0.
        prepayment_ratio=Decimal("1.0"),
        prepayment_frequency="once_per_cycle",
        # 003: same wording as 000/002 (次月底前…50%…第6个月末，预付剩余金额).
        tranches=_CHONGQING_TRANCHES,
        # 003: 继续抵扣直至抵扣完毕 — no refund demand.
        offsets=AfterCycleEnd(refund_after_months=None),
        # 003: 结清时间不超过交货验收合格后的次月底.
        supplier_payment_due=EndOfFollowingMonth(),
        # 003: silent on direct settlement → "no".
        direct_settlement="no",
        # 003: no lower-price rule.
        lower_price_window_working_days=None,
    ),
    "liaoning-2025": ExecutionPolicy(
        preset="liaoning-2025",
        # 001: 次年协议量原则上不低于首年协议量.
        renewal=PerItemOfFirstYear(min_ratio=Decimal("1.0")),
        # 001: not stated → None (the platform then does not allow buying below).
        buy_below_winning_price=None,
        # 001: 按不低于…年度协议量总采购金额的50%设立采购预付金 → the minimum, 0.5; a
        # city paying more overrides it.
        prepayment_ratio=Decimal("0.5"),
        # 001: 在采购结果执行前预付到位，在采购周期结束后清算收回 — once per cycle.
        prepayment_frequency="once_per_cycle",
        # 001: all before the execution start → due the day before it.
        tranches=[Tranche(share=Decimal(1), due=BeforeStart(days_before=0))],
        # 001: 在采购周期结束后清算收回; no refund deadline stated → keep deducting.
        offsets=AfterCycleEnd(refund_after_months=None),
        # 001: 结清时间不得超过交货验收合格后次月底.
        supplier_payment_due=EndOfFollowingMonth(),
        # 001: 鼓励…应用医保基金与各有关企业直接结算货款 → optional.
        direct_settlement="optional",
        # 001: no lower-price rule.
        lower_price_window_working_days=None,
    ),
    "chuxiong-2022": ExecutionPolicy(
        preset="chuxiong-2022",
        # 004: 采购协议期满后，组织开展续约和重新招采工作 → re-tender, no quantity check.
        renewal=Retender(),
        # 004: not stated → None (the platform then does not allow buying below).
        buy_below_winning_price=None,
        # 004: 按不低于年度约定采购金额30%的比例预付 → the minimum, 0.3.
        prepayment_ratio=Decimal("0.3"),
        # 004: the base is the annual agreed amount (年度约定采购金额) → every agreement year.
        prepayment_frequency="per_agreement_year",
        # 004: no timing stated; §4 chooses all by the end of the month after the start,
        # the deadline the Chongqing seeds set for their first tranche.
        tranches=[Tranche(share=Decimal(1), due=EndOfMonthAfterStart())],
        # 004: 按照医疗机构采购进度…逐步冲抵预付金.
        offsets=ProgressiveByAcceptedAmount(),
        # 004: 从交货验收合格至结清货款原则上不得超过30天.
        supplier_payment_due=DaysAfterAcceptance(days=30),
        # 004: 探索推进医保基金与医药企业直接结算 → optional.
        direct_settlement="optional",
        # 004: no lower-price rule.
        lower_price_window_working_days=None,
    ),
}


class UnknownPreset(ValueError):
    """A batch named a preset that does not exist."""

    def __init__(self, preset: str) -> None:
        super().__init__(f"unknown execution-policy preset {preset!r}; known presets: {', '.join(PRESETS)}")
        self.preset = preset
        self.known = list(PRESETS)


def _deep_merge(base: Any, override: Any) -> Any:
    """Dicts merge key by key; anything else (lists, scalars, None) replaces.

    A dict that names another `kind` than the base is another variant of a discriminated
    rule, so it replaces the base whole: merging would carry fields the new variant forbids.
    """
    if not isinstance(base, Mapping) or not isinstance(override, Mapping):
        return override
    if "kind" in override and override.get("kind") != base.get("kind"):
        return dict(override)
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _deep_merge(merged[key], value) if key in merged else value
    return merged


def policy_from_preset(preset: str, overrides: dict | None = None) -> ExecutionPolicy:
    """The preset's policy with a batch's overrides deep-merged in, validated.

    Raises `UnknownPreset` for an unknown name and a pydantic `ValidationError` locating
    each bad or unknown override field.
    """
    if preset not in PRESETS:
        raise UnknownPreset(preset)
    if overrides is None:
        return PRESETS[preset]
    if not isinstance(overrides, Mapping):
        raise TypeError(f"overrides must be a dict, got {type(overrides).__name__}")
    if "preset" in overrides and overrides["preset"] != preset:
        # The name records where the policy came from; letting an override change it would
        # make a batch claim another preset's provenance.
        error = InitErrorDetails(
            type=PydanticCustomError("preset_not_overridable", "the preset is chosen by name, not by override"),
            loc=("preset",),
            input=overrides["preset"],
        )
        raise ValidationError.from_exception_data(ExecutionPolicy.__name__, [error])
    merged = _deep_merge(PRESETS[preset].model_dump(mode="json"), overrides)
    return ExecutionPolicy.model_validate(merged)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _end_of_nth_month(start: date, n: int) -> date:
    # §4: month 1 is the start's own month; "month end" is the last calendar day (§3).
    index = start.year * 12 + (start.month - 1) + (n - 1)
    return _month_end(index // 12, index % 12 + 1)


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
    """Each tranche of `policy` with its due date from the execution start and an explain
    object: {"rule": "SET-3", "preset", "start", "tranche", "share", "due", "due_on"}."""
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
    """The due date of each tranche of `policy`, in order (SET-3); `tranche_schedule` gives
    the same dates with their shares and explain objects."""
    return [due.due_on for due in tranche_schedule(policy, start)]
