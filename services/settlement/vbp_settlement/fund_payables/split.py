"""SET-4/SET-5: how one monthly fund payable is split — pure arithmetic, no database.

Order, and why: **direct settlements first, then prepayment offsets, the rest is the net.**
A direct settlement (SET-5) is money the fund has already paid a company for this
hospital's purchases: a matured, certain claim of the fund, recovered at the next payable
("deducted from the hospital's settlement", seed 001). A prepayment is an advance the policy
recovers over time and demands back if it is not recovered (seeds 000/002), so it takes
what is left. Within each kind the oldest goes first (direct settlements by payment date,
plans by creation). Nothing takes more than what is left of the payable, so the net is
never negative; what a payable could not take waits for the next one.

Which plans a payable offsets, per the batch policy (vbpkit.domain.policy.first_offset_month,
refund_month):

- after the cycle (Chongqing seeds 000/002/003: 采购周期结束后的次月起…当月抵扣不完的，在以后
  结算月度继续抵扣; Liaoning seed 001: 采购周期结束后清算收回): months from the first offset month
  on take the whole outstanding; where the policy refunds (seeds 000/002: 超过一年未抵扣完毕的…
  全部退回) months from the refund month on take nothing — the rest is demanded back;
- progressive (Chuxiong seed 004: 按照医疗机构采购进度…逐步冲抵): the cumulative offset
  target = total × min(1, accepted ÷ agreed), half-up to the fen, with the accepted amount of
  the plan's agreement year net of returns up to the month's end; a month takes the target
  less what was offset already.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from vbpkit.domain.money import format_yuan


@dataclass
class PlanState:
    """What a payable needs to know of one prepayment plan, kept current across rows."""

    plan_id: int
    batch_code: str
    preset: str
    kind: str  # after_cycle_end | progressive_by_accepted_amount
    first_month: date
    refund_month: date | None
    total_fen: int
    disbursed_fen: int
    offset_fen: int
    refunded_fen: int
    refund_demanded: bool
    agreed_fen: int = 0
    accepted_fen: dict[date, int] = field(default_factory=dict)  # month → accepted net of returns by its end
    window: tuple[date, date] | None = None  # the agreement year whose purchases count (progressive)

    @property
    def outstanding_fen(self) -> int:
        return self.disbursed_fen - self.offset_fen - self.refunded_fen


@dataclass
class PendingDirectSettlement:
    payment_id: int
    invoice_id: int
    paid_on: date
    pending_fen: int


@dataclass(frozen=True)
class Taken:
    """One part taken from the payable: a deduction (payment_id) or an offset (plan_id)."""

    amount_fen: int
    explain: dict
    payment_id: int | None = None
    invoice_id: int | None = None
    plan_id: int | None = None
    batch_code: str | None = None
    outstanding_after_fen: int | None = None


@dataclass(frozen=True)
class Split:
    amount_fen: int
    deductions: list[Taken]
    offsets: list[Taken]

    @property
    def direct_settlements_fen(self) -> int:
        return sum(t.amount_fen for t in self.deductions)

    @property
    def offset_fen(self) -> int:
        return sum(t.amount_fen for t in self.offsets)

    @property
    def net_fen(self) -> int:
        return self.amount_fen - self.direct_settlements_fen - self.offset_fen

    def explain(self, *, hospital_code: str, fund: str, month: date) -> dict:
        return {
            "rule": "SET-4", "hospital_code": hospital_code, "fund": fund, "month": month.isoformat()[:7],
            "payable": format_yuan(self.amount_fen),
            "order": "direct settlements (SET-5) first, then prepayment offsets, oldest first; never more than "
                     "what is left of the payable",
            "direct_settlements": [t.explain for t in self.deductions],
            "offsets": [t.explain for t in self.offsets],
            "net": format_yuan(self.net_fen), "net_formula": "payable − direct settlements − offsets",
        }


def progressive_target(total_fen: int, accepted_fen: int, agreed_fen: int) -> int:
    """Seed 004: total × min(1, accepted ÷ agreed), half-up to the fen (exact integers)."""
    if agreed_fen <= 0 or accepted_fen >= agreed_fen:
        return total_fen
    if accepted_fen <= 0:
        return 0
    return (2 * total_fen * accepted_fen + agreed_fen) // (2 * agreed_fen)


def wanted(plan: PlanState, month: date) -> tuple[int, dict]:
    """What ``plan`` would take from a payable of ``month``, before the payable's own limit."""
    base = {"plan_id": plan.plan_id, "batch_code": plan.batch_code, "preset": plan.preset, "offsets": plan.kind,
            "first_offset_month": plan.first_month.isoformat()[:7],
            "disbursed": format_yuan(plan.disbursed_fen), "offset_before": format_yuan(plan.offset_fen),
            "refunded": format_yuan(plan.refunded_fen), "outstanding_before": format_yuan(plan.outstanding_fen)}
    if month < plan.first_month:
        return 0, {**base, "why": "before the first offset month"}
    if plan.refund_demanded or (plan.refund_month is not None and month >= plan.refund_month):
        return 0, {**base, "refund_month": plan.refund_month.isoformat()[:7] if plan.refund_month else None,
                   "why": "the offset window has closed: what was left is demanded back (seeds 000/002)"}
    if plan.kind != "progressive_by_accepted_amount":
        return max(plan.outstanding_fen, 0), {**base, "why": "after the cycle: the whole outstanding, as far as the "
                                                             "payable allows"}
    accepted = plan.accepted_fen.get(month, 0)
    target = progressive_target(plan.total_fen, accepted, plan.agreed_fen)
    want = max(0, min(target - plan.offset_fen, plan.outstanding_fen))
    return want, {**base, "total": format_yuan(plan.total_fen), "agreed": format_yuan(plan.agreed_fen),
                  "accepted_by_month_end": format_yuan(accepted),
                  "window": [d.isoformat() for d in plan.window] if plan.window else None,
                  "target": format_yuan(target),
                  "target_formula": "total × min(1, accepted ÷ agreed), half-up (seed 004)",
                  "why": "progressive: the target less what was offset already, at most the outstanding"}


def split(amount_fen: int, month: date, *, pending: list[PendingDirectSettlement], plans: list[PlanState]) -> Split:
    """Split one payable; ``pending`` and ``plans`` are updated to what is left after it."""
    left = amount_fen
    deductions: list[Taken] = []
    for d in sorted(pending, key=lambda p: (p.paid_on, p.payment_id)):
        take = min(d.pending_fen, left)
        if take <= 0:
            continue
        d.pending_fen -= take
        left -= take
        deductions.append(Taken(take, {"payment_id": d.payment_id, "invoice_id": d.invoice_id,
                                       "paid_on": d.paid_on.isoformat(), "deducted": format_yuan(take),
                                       "still_pending": format_yuan(d.pending_fen)},
                                payment_id=d.payment_id, invoice_id=d.invoice_id))
    offsets: list[Taken] = []
    for plan in sorted(plans, key=lambda p: p.plan_id):
        want, explain = wanted(plan, month)
        take = min(want, left)
        if take <= 0:
            continue
        plan.offset_fen += take
        left -= take
        offsets.append(Taken(take, {**explain, "wanted": format_yuan(want), "offset": format_yuan(take),
                                    "outstanding_after": format_yuan(plan.outstanding_fen)},
                             plan_id=plan.plan_id, batch_code=plan.batch_code,
                             outstanding_after_fen=plan.outstanding_fen))
    return Split(amount_fen, deductions, offsets)
