"""The four execution-policy presets of DESIGN §4, and a batch's policy from one of them.

A batch names a preset and may override fields of it; `policy_from_preset` deep-merges the
overrides into the preset and validates the result, so a stored batch policy is always a
complete, valid `ExecutionPolicy`. Each preset field cites the seed sentence it comes from.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from vbpkit.domain.policy.rules import (
    AfterCycleEnd,
    BeforeStart,
    DaysAfterAcceptance,
    EndOfFollowingMonth,
    EndOfMonthAfterStart,
    EndOfNthMonth,
    ExecutionPolicy,
    PerItemOfFirstYear,
    PerItemOfPreviousAgreed,
    ProgressiveByAcceptedAmount,
    Retender,
    StentRenewal,
    Tranche,
)

_CHONGQING_TRANCHES = [
    # 000/002/003: 次月底前将医保预付金的50%预付…在采购期第6个月末，预付剩余金额.
    Tranche(share=Decimal("0.5"), due=EndOfMonthAfterStart()),
    Tranche(share=Decimal("0.5"), due=EndOfNthMonth(month=6)),
]

PRESETS: dict[str, ExecutionPolicy] = {
    "chongqing-2025": ExecutionPolicy(
        preset="chongqing-2025",
        # 000/002/003: 对不能履约的中选企业根据严重程度进行评级和处置 under the Chongqing
        # 信用评价 rules (渝医保发〔2020〕84号); a 严重/特别严重 rating suspends the listings
        # (暂停挂网) — the platform's reading of 处置. Seeds 001 and 004 name no listing measure.
        rating_suspends_listings=True,
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
        # 000: 在中选结果执行前 10 个工作日内报送拟挂网的中选产品信息; 002: 完成预挂网，并在文件
        # 实施前10个工作日内报送拟挂网的中选药品信息 → pre-listed by the 10th working day before the
        # start (CAT-12).
        pre_listing_working_days=10,
    ),
    "chongqing-stent-2023": ExecutionPolicy(
        preset="chongqing-stent-2023",
        # 003: 中选产品以外的冠脉支架医保支付标准暂不调整.
        payment_standard_non_winning="frozen",
        # 000/002/003: 对不能履约的中选企业根据严重程度进行评级和处置 under the Chongqing
        # 信用评价 rules (渝医保发〔2020〕84号); a 严重/特别严重 rating suspends the listings
        # (暂停挂网) — the platform's reading of 处置. Seeds 001 and 004 name no listing measure.
        rating_suspends_listings=True,
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
        # 003: 未中选支架…挂网价格，执行全国最低价…同步调整在我市的采购价格 → lowered to the new
        # national lowest price (CAT-12); 003 sets no pre-listing deadline (开辟绿色通道…及时完成挂网).
        national_lowest_price_follow="lower",
    ),
    "liaoning-2025": ExecutionPolicy(
        preset="liaoning-2025",
        # 001: 本轮集中带量采购列入除外内容的耗材…按照乙类医用耗材管理.
        payment_category="乙类",
        payment_excluded_content=True,
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
        # 001: 未实施医保基金直接结算的市…预付 → a city that settles directly gets no prepayment.
        prepay_where_settled_directly=False,
        # 001: no lower-price rule.
        lower_price_window_working_days=None,
        # 001: 在执行之日起的前3天按临床需求提前完成备货 → orders from three days before the start (CON-9).
        stocking_days_before_start=3,
        # 001: 同企业、同组别的中选产品可合并考核 → behind and completion by company group (MON-1, MON-7).
        assess_by="company_group",
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
        # 004: 不得以费用控制、…未申报采购量…为由，限制中选耗材的合理使用与供应保障 → a hospital without an
        # agreement still buys at the winning price (CON-8).
        orders_without_agreement="winning_price",
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

