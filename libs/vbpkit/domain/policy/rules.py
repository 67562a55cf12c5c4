"""The typed rules of a batch's execution policy (执行政策, DESIGN §4).

Every rule of DESIGN §3 is configurable per batch through its execution policy; each
rule is a small frozen model, and a rule with variants is a union discriminated by
``kind``, so a consumer reads ``policy.renewal.kind`` — never a string key of a dict.

Ratios and coefficients are `Decimal`s and are refused as floats, for the reason the money
kit gives (vbpkit.domain.money): 0.1 + 0.2 is not 0.3; send them as decimal strings ("0.5").
"""

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

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
# MON-6 信用评价 severities, least to most severe (seeds 000/002/003: 根据严重程度进行评级和处置).
SEVERITIES = ("一般", "中等", "严重", "特别严重")
Severity = Literal["一般", "中等", "严重", "特别严重"]


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

    MON-6: the seeds say only 及时配送 (seed 004: 及时满足医疗机构中选产品采购需求), so the
    delivery window is the platform's default of 48 hours from the order; a confirmed line
    not delivered in full within it is a late supply of ``late_supply_severity`` (default
    一般), a declined line a failed supply of ``failed_supply_severity`` (default 中等), both
    open to the insurer's force-majeure exemption (seeds 002/004: 除不可抗力因素外).
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
    prepay_where_settled_directly: bool = Field(
        default=True,
        description="SET-3: False where the policy prepays only regions whose fund does not settle with "
        "companies directly (seed 001: 未实施医保基金直接结算的市); seeds 000/002/003/004 say nothing of it",
    )
    lower_price_window_working_days: Annotated[int, BeforeValidator(_refuse_bool)] | None = Field(
        default=None, ge=1, description="CAT-6 就低 window in working days; None = rule not applied"
    )
    stockpiling_factor: PositiveDecimal = Decimal(2)
    progress_tolerance_points: Points = 10
    substitute_share_alert: Ratio = Decimal("0.3")
    substitute_rise_points: Points = 10
    non_winning_cutoff_share: Ratio = Field(
        default=Decimal("0.05"), description="MON-5 一刀切 (seed 001: 不得…对非中选产品“一刀切”简单停用): a hospital's "
        "non-winning share of a group above this in one month and zero the next, while it still buys the group, is "
        "alerted (the seed names no level: 5% is a product in real use, not a stray unit)")
    differential_pricing: DifferentialCoefficients = DifferentialCoefficients()
    delivery_window_hours: Annotated[int, BeforeValidator(_refuse_bool)] = Field(
        default=48, ge=1, le=24 * 366, description="MON-6 fill rate: a line counts as delivered in time within "
        "this many hours of its order (dates count whole days: 48 hours = by the second day after)")
    late_supply_severity: Severity = "一般"
    failed_supply_severity: Severity = "中等"
    payment_standard_non_winning: Literal["listing_price", "frozen"] = Field(
        default="listing_price", description="CAT-11: a non-winning product's payment standard follows its listing "
        "price (seed 002: 非中选药品…按挂网价格确定) or stays at its last value (seed 003: 暂不调整); a winning "
        "product's follows the winning price (seeds 002/003/004: 以中选价为支付标准)")
    payment_category: Literal["甲类", "乙类"] | None = Field(
        default=None, description="CAT-11 reimbursement category of the batch's products (seed 001: 乙类); None: "
        "set per product by the insurer")
    payment_excluded_content: bool = Field(
        default=False, description="CAT-11 除外内容: billed apart from the medical service (seed 001)")
    pre_listing_working_days: Annotated[int, BeforeValidator(_refuse_bool)] | None = Field(
        default=None, ge=1, le=60, description="CAT-12 预挂网: winning products are pre-listed no later than this many "
        "working days before execution starts (seeds 000/002: 10); None = no pre-listing deadline")
    national_lowest_price_follow: Literal["lower", "suspend"] = Field(
        default="lower", description="CAT-12: when the national lowest price capping a non-winning listing (CAT-7) "
        "falls below it, the listing is lowered to it (seed 003: 同步调整) or suspended until the exchange lists it "
        "again at most at the cap")
    backup_price_cap_ratio: PositiveDecimal = Field(
        default=Decimal(1), description="CAT-13: a listed non-winning backup's price is at most this times the failing "
        "product's winning price (the seeds name no price rule for 备选/替补; 1: never dearer than the winner it "
        "replaces); a winning backup keeps its own winning price")
    his_match_window_days: Annotated[int, BeforeValidator(_refuse_bool)] = Field(
        default=7, ge=0, le=31, description="MON-11: a HIS stock-in and a platform acceptance this many days apart "
        "across a month's end are one purchase (the seeds give no window: a week covers the days between goods "
        "arriving and the hospital confirming them on the platform)")
    off_platform_alert_share: Ratio = Field(
        default=Decimal("0.05"), description="MON-11: a month's off-platform quantity of a winning product above "
        "this share of the hospital's HIS net purchases of it raises an alert (seeds 000/002/004 不得线下采购 allow "
        "none; the default tolerates unit rounding and a late acceptance, 0 alerts on any)")
    his_upload_due_day: Annotated[int, BeforeValidator(_refuse_bool)] = Field(
        default=10, ge=1, le=28, description="MON-11: a month's HIS 进销存 upload is due by this day of the next "
        "month (seed 001 按时上传采购和使用数据 names no day; the 10th is the usual monthly reporting day)")
    supply_failure_breaches: Annotated[int, BeforeValidator(_refuse_bool)] = Field(
        default=3, ge=1, le=100, description="MON-12: this many late or failed supply breaches of one product in one "
        "region within ``supply_failure_window_days`` raise a supply-failure alert naming its backups (the seeds "
        "name no number: three is a pattern, not a mishap)")
    supply_failure_window_days: Annotated[int, BeforeValidator(_refuse_bool)] = Field(
        default=90, ge=1, le=366, description="MON-12: the window the supply-failure breaches are counted in (a "
        "quarter: the seeds name none)")
    orders_without_agreement: Literal["refuse", "winning_price"] = Field(
        default="refuse", description="CON-8: an order line for a listed winning product from a hospital with no "
        "effective agreement with its manufacturer is refused, or accepted at the winning price, routed to the "
        "manufacturer's default distributor for the hospital's region and counted beyond the agreed volume (seed "
        "004: 不得以…未申报采购量…为由，限制中选耗材的合理使用与供应保障). Seeds 000–003 make the signed agreement "
        "the basis of every order and say nothing of hospitals without one: refuse")
    account_opening_working_days: Annotated[int, BeforeValidator(_refuse_bool)] = Field(
        default=10, ge=1, le=120, description="CON-10: a distributor's account not opened this many working days "
        "(CAT-10) after it asked is alerted (seed 003: 医疗机构应积极配合做好账户开户等工作 names no number: two "
        "working weeks)")
    signing_deadline_days: Annotated[int, BeforeValidator(_refuse_bool)] = Field(
        default=15, ge=1, le=366, description="MON-15: an agreement generated this many days ago and not signed by all "
        "three parties is alerted, naming those that have not (seed 001: 及时与各有关企业签订协议 names no number: "
        "half a month)")
    assess_by: Literal["item", "company_group"] = Field(
        default="item", description="MON-1/MON-7: the level at which 'behind' is alerted and completion scored — each "
        "agreement item, or the items of one company in one group together (seed 001: 同企业、同组别的中选产品可合并"
        "考核), where one product's surplus covers another's shortfall")
    stocking_days_before_start: Annotated[int, BeforeValidator(_refuse_bool)] = Field(
        default=0, ge=0, le=30, description="CON-9 提前备货: orders are accepted this many days before ``starts_on`` "
        "and count towards year 1; a hospital with year-1 items and no order by the start day is alerted. Seed 001 "
        "(在执行之日起的前3天…提前完成备货，确保结果执行前后的平稳有序衔接) read as the three days before the start: "
        "stock is ready when execution begins. 0: no orders before the start, no alert")
    rating_suspends_listings: bool = Field(
        default=False, description="MON-6 → CAT-12: a 严重 or 特别严重 rating of a company suspends its listings in "
        "the batch (and a later better rating restores them)")

    @field_validator("tranches")
    @classmethod
    def _shares_sum_to_one(cls, tranches: list[Tranche]) -> list[Tranche]:
        # SET-6: the tranches must split the whole total, no more and no less.
        total = sum((t.share for t in tranches), Decimal(0))
        if total != 1:
            raise ValueError(f"tranche shares must sum to exactly 1, got {total}")
        return tranches

