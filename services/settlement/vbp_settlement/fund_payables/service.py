"""SET-4 monthly fund payables, posted in bulk, with direct settlements (SET-5) and
prepayment offsets taken from them (fund_payables.split says how and why in that order).

A post of up to 10,000 rows is checked row by row: a bad row is reported and the good ones
are posted. A row for a month already posted is a correction: the live version is superseded,
its ledger transaction reversed by one the other way (its offsets return to the plans, its
deductions to the direct settlements), and the corrected amount is split again — both
versions stay readable. Posting the same row again changes nothing ("unchanged").

A correction is split with what is known when it is posted; later months already posted
keep what they took (a bureau corrects a month, it does not re-run the year).

The whole post is one database transaction: the hospitals' plans and live payables are
locked first, every lookup is one statement over all rows, and the ledger is written with
``ledger.service.move_many``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.messaging import outbox
from vbpkit.events.settlement import DeductionFacts, OffsetApplied, OffsetFacts
from vbpkit.web.identity import Principal, Role
from vbpkit.domain.policy import first_offset_month, refund_month
from vbpkit.domain.policy.rules import ProgressiveByAcceptedAmount
from vbpkit.domain.policy.dates import agreement_year_bounds, month_end
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.projections.registry import repository as registry
from vbpkit.web.parties import NOBODY, OVERSEERS, hospital_filter, not_found

from vbp_settlement.deliveries import repository as deliveries
from vbp_settlement.fund_payables import repository
from vbp_settlement.fund_payables.models import FundPayable
from vbp_settlement.fund_payables.schemas import OffsetRead, PayablePost, PostResult, RowResult, first_of
from vbp_settlement.fund_payables.split import PendingDirectSettlement, PlanState, Split, split
from vbp_settlement.ledger import accounts
from vbp_settlement.ledger import repository as ledger
from vbp_settlement.ledger.service import Movement, Posting, move_many, request_cause


@dataclass
class _Row:
    index: int
    hospital_code: str
    fund: str
    month: date
    amount_fen: int
    paid_on: date
    live: FundPayable | None = None
    split: Split | None = None
    new_id: int | None = None
    unchanged: bool = False
    gave_back: tuple[int, int] = (0, 0)  # what the superseded version had offset and deducted


def _check(rows: PayablePost, known: set[str], today: date) -> tuple[list[_Row], dict[int, list[dict]]]:
    """The rows that may be posted, and each refused row's errors naming its fields."""
    good, refused, seen = [], {}, {}
    this_month = today.replace(day=1)
    for index, row in enumerate(rows.rows):
        month = first_of(row.month)
        errors = []  # fields within the row; rows are numbered from 1 in the answer (the bulk convention)
        if row.hospital_code not in known:
            errors.append({"field": "hospital_code", "reason": "not an institution known to settlement"})
        if month > this_month:
            errors.append({"field": "month", "reason": f"{row.month} has not begun (today is {today})"})
        if row.paid_on > today:
            errors.append({"field": "paid_on", "reason": f"after today {today}"})
        elif row.paid_on < month:
            errors.append({"field": "paid_on", "reason": f"before the month {row.month} it settles"})
        key = (row.hospital_code, row.fund, month)
        if key in seen:
            errors.append({"field": "row", "reason": f"repeats row {seen[key] + 1} (one row per hospital, fund and month)"})
        seen.setdefault(key, index)
        if errors:
            refused[index] = errors
        else:
            good.append(_Row(index, row.hospital_code, row.fund, month, row.amount, row.paid_on))
    return good, refused


async def _plan_states(session: AsyncSession, codes: set[str]) -> dict[tuple[str, str], list[PlanState]]:
    """Every plan of the hospitals, locked, with what it has disbursed, offset and refunded."""
    plans = await repository.plans_for_update(session, codes)
    ids = [p.id for p in plans]
    disbursed = await repository.disbursed_by_plan(session, ids)
    offset = await repository.offset_by_plan(session, ids)
    refunded = await repository.refunded_by_plan(session, ids)
    batches = await catalog.batches_by_code(session, {p.batch_code for p in plans})
    states: dict[tuple[str, str], list[PlanState]] = {}
    windows: dict[tuple[str, int], tuple] = {}  # the same for every plan of a batch's year
    for plan in plans:
        batch = batches[plan.batch_code]
        policy = batch.policy
        if (plan.batch_code, plan.prepaid_year) not in windows:
            windows[(plan.batch_code, plan.prepaid_year)] = _window(batch, plan.prepaid_year)
        first, refund, window = windows[(plan.batch_code, plan.prepaid_year)]
        states.setdefault((plan.hospital_code, plan.fund), []).append(PlanState(
            plan_id=plan.id, batch_code=plan.batch_code, preset=policy.preset, kind=policy.offsets.kind,
            first_month=first, refund_month=refund, total_fen=plan.total_fen,
            disbursed_fen=disbursed.get(plan.id, 0), offset_fen=offset.get(plan.id, 0),
            refunded_fen=refunded.get(plan.id, 0), refund_demanded=plan.id in refunded, agreed_fen=plan.base_fen,
            window=(window.first, window.last) if window else None))
    return states


def _window(batch, prepaid_year: int) -> tuple:
    """A plan's first offset month, refund month and, if progressive, its agreement year."""
    policy, cycle = batch.policy, batch.cycle
    first = first_offset_month(policy, cycle).value
    window = None
    if isinstance(policy.offsets, ProgressiveByAcceptedAmount):
        window = agreement_year_bounds(cycle, prepaid_year).value
        first = max(first, window.first.replace(day=1))
    return first, refund_month(policy, cycle).value, window


async def _accepted_by_month_end(session: AsyncSession, hospital_code: str, plan: PlanState, month: date) -> None:
    """Seed 004's accepted amount for a progressive plan, as of ``month``'s end."""
    if plan.window is None or month in plan.accepted_fen or month < plan.first_month:
        return
    last = min(plan.window[1], month_end(month.year, month.month))
    plan.accepted_fen[month] = await deliveries.accepted_amount_fen(
        session, hospital_code=hospital_code, batch_code=plan.batch_code, first=plan.window[0], last=last)


def _movement(row: _Row, by: str, cause: str) -> Movement | None:
    s = row.split
    postings = [Posting(accounts.fund(row.fund), accounts.hospital_settled(row.hospital_code), s.amount_fen)]
    postings += [Posting(accounts.hospital_direct_settled(row.hospital_code), accounts.fund(row.fund), t.amount_fen)
                 for t in s.deductions]
    postings += [Posting(accounts.hospital_prepayment(row.hospital_code), accounts.fund(row.fund), t.amount_fen)
                 for t in s.offsets]
    if s.amount_fen == 0:
        return None
    return Movement("request", cause, (
        f"SET-4 fund payable {row.hospital_code} {row.fund} {row.month.isoformat()[:7]}: {s.amount_fen} fen, direct settlements "
        f"{s.direct_settlements_fen}, offsets {s.offset_fen}, net {s.net_fen}, paid on {row.paid_on}"), by, postings)


async def post(session: AsyncSession, request: PayablePost, *, principal: Principal, today: date) -> PostResult:
    known = await registry.known_institutions(session, {r.hospital_code for r in request.rows})
    rows, refused = _check(request, known, today)
    codes = {r.hospital_code for r in rows}
    await repository.lock_hospitals(session, codes)
    live = await repository.live_for_update(session, codes, {r.month for r in rows})
    states = await _plan_states(session, codes)
    pending: dict[tuple[str, str], list[PendingDirectSettlement]] = {}
    for payment, left in await repository.pending_direct_settlements(session, codes):
        pending.setdefault((payment.hospital_code, payment.fund), []).append(
            PendingDirectSettlement(payment.id, payment.invoice_id, payment.paid_on, left))
    for row in rows:
        row.live = live.get((row.hospital_code, row.fund, row.month))
        row.unchanged = row.live is not None and (row.live.amount_fen, row.live.paid_on) == (row.amount_fen,
                                                                                            row.paid_on)
    changing = [r for r in rows if not r.unchanged]
    reversed_postings = await _give_back(session, [r for r in changing if r.live is not None], states, pending)
    cause, by = request_cause(), principal.actor
    movements: list[tuple[_Row, str, Movement]] = []
    for row in changing:
        plans = states.get((row.hospital_code, row.fund), [])
        for plan in plans:
            await _accepted_by_month_end(session, row.hospital_code, plan, row.month)
        row.split = split(row.amount_fen, row.month, pending=pending.get((row.hospital_code, row.fund), []),
                          plans=plans)
        if row.live is not None and row.live.transaction_id is not None:
            movements.append((row, "reversal", Movement("request", cause, (
                f"SET-4 correction of fund payable {row.live.id} ({row.hospital_code} {row.fund} {row.month:%Y-%m}): "
                "its postings reversed"), by, [Posting(p.destination, p.source, p.amount_fen)
                                               for p in reversed_postings[row.live.transaction_id]])))
        movement = _movement(row, by, cause)
        if movement is not None:
            movements.append((row, "new", movement))
    recorded = await move_many(session, [m for _, _, m in movements])
    await _write(session, changing, [(row, kind, r) for (row, kind, _), r in zip(movements, recorded, strict=True)],
                 by=by)
    return _result(request, rows, refused)


async def _give_back(session: AsyncSession, corrections: list[_Row], states, pending) -> dict[int, list]:
    """Undo, in the in-memory state, what the superseded versions took; their postings by transaction."""
    if not corrections:
        return {}
    corrected = [r.live for r in corrections]
    rows = {r.live.id: r for r in corrections}
    plans = {p.plan_id: p for group in states.values() for p in group}
    for payable_id, plan_id, amount in await repository.offset_amounts(session, [p.id for p in corrected]):
        plans[plan_id].offset_fen -= amount
        row = rows[payable_id]
        row.gave_back = (row.gave_back[0] + amount, row.gave_back[1])
    by_payable = {p.id: p for p in corrected}
    for deduction, amount in await repository.deductions_of(session, [p.id for p in corrected]):
        row = rows[deduction.payable_id]
        row.gave_back = (row.gave_back[0], row.gave_back[1] + amount)
        payable = by_payable[deduction.payable_id]
        group = pending.setdefault((payable.hospital_code, payable.fund), [])
        entry = next((d for d in group if d.payment_id == deduction.payment_id), None)
        if entry is None:
            payment = await repository.payment(session, deduction.payment_id)
            entry = PendingDirectSettlement(payment.id, payment.invoice_id, payment.paid_on, 0)
            group.append(entry)
        entry.pending_fen += amount
    postings: dict[int, list] = {}
    for p in await ledger.postings_of(session, [c.transaction_id for c in corrected if c.transaction_id]):
        postings.setdefault(p.transaction_id, []).append(p)
    return postings


async def _write(session: AsyncSession, changing: list[_Row], recorded, *, by: str) -> None:
    ids = await repository.reserve_payable_ids(session, len(changing))
    for row, new_id in zip(changing, ids, strict=True):
        row.new_id = new_id
    transactions = {(id(row), kind): r for row, kind, r in recorded}
    await repository.supersede(session, [
        {"id": r.live.id, "superseded_by_id": r.new_id,
         "reversal_transaction_id": transactions[(id(r), "reversal")].transaction_id
         if (id(r), "reversal") in transactions else None}
        for r in changing if r.live is not None])
    payables, offsets, deductions, events = [], [], [], []
    for row in changing:
        s, new = row.split, transactions.get((id(row), "new"))
        payables.append(dict(
            id=row.new_id, hospital_code=row.hospital_code, fund=row.fund, month=row.month,
            version=row.live.version + 1 if row.live else 1, status="live", amount_fen=s.amount_fen,
            net_fen=s.net_fen, paid_on=row.paid_on, transaction_id=new.transaction_id if new else None,
            explain={**s.explain(hospital_code=row.hospital_code, fund=row.fund, month=row.month),
                     "paid_on": row.paid_on.isoformat(),
                     "corrects": {"payable_id": row.live.id, "version": row.live.version,
                                  "amount": row.live.amount_fen} if row.live else None},
            posted_by=by))
        if new is not None:
            posting_ids = iter(new.posting_ids[1:])  # the first is fund → settled
            deductions += [dict(payable_id=row.new_id, payment_id=t.payment_id, posting_id=next(posting_ids))
                           for t in s.deductions]
            offsets += [dict(payable_id=row.new_id, plan_id=t.plan_id, posting_id=next(posting_ids),
                             batch_code=t.batch_code) for t in s.offsets]
        events += _announcements(row)
    await repository.add_payables(session, payables)
    await repository.add_deductions(session, deductions)
    await repository.add_offsets(session, offsets)
    await outbox.add_many(session, events)


def _announcements(row: _Row) -> list[tuple]:
    """The row's ``settlement.offset.applied``. Built with ``model_construct``: every value
    comes from the split just made, and a bulk post makes ten thousand of them."""
    s = row.split
    offsets = [OffsetFacts.model_construct(plan_id=t.plan_id, batch_code=t.batch_code, amount_fen=t.amount_fen,
                                           outstanding_after_fen=t.outstanding_after_fen) for t in s.offsets]
    deductions = [DeductionFacts.model_construct(payment_id=t.payment_id, invoice_id=t.invoice_id,
                                                 amount_fen=t.amount_fen) for t in s.deductions]
    return [(OffsetApplied.model_construct(
        payable_id=row.new_id, hospital_code=row.hospital_code, fund=row.fund, month=row.month,
        version_no=row.live.version + 1 if row.live else 1, corrects_payable_id=row.live.id if row.live else None,
        reversed_offset_fen=row.gave_back[0], reversed_direct_settlements_fen=row.gave_back[1],
        amount_fen=s.amount_fen, direct_settlements_fen=s.direct_settlements_fen, offset_fen=s.offset_fen,
        net_fen=s.net_fen, paid_on=row.paid_on, deductions=deductions, offsets=offsets), row.hospital_code)]


def _result(request: PayablePost, rows: list[_Row], refused: dict[int, list[dict]]) -> PostResult:
    """One result per row asked, in order (``model_construct``: the values are ours, and many)."""
    by_index = {r.index: r for r in rows}
    results = []
    for index, asked in enumerate(request.rows):
        base = dict(row=index + 1, hospital_code=asked.hospital_code, fund=asked.fund, month=asked.month)
        row = by_index.get(index)
        if row is None:
            results.append(RowResult.model_construct(**base, status="rejected", errors=refused[index]))
        elif row.unchanged:
            results.append(RowResult.model_construct(**base, status="unchanged", payable_id=row.live.id,
                                                     amount=row.live.amount_fen, net=row.live.net_fen))
        else:
            s = row.split
            results.append(RowResult.model_construct(
                **base, status="corrected" if row.live else "posted", payable_id=row.new_id,
                corrects_payable_id=row.live.id if row.live else None, amount=s.amount_fen,
                direct_settlements=s.direct_settlements_fen, offset=s.offset_fen, net=s.net_fen,
                offsets=[OffsetRead.model_construct(plan_id=t.plan_id, batch_code=t.batch_code, amount=t.amount_fen,
                                                    explain=t.explain) for t in s.offsets]))
    counts = {k: sum(1 for r in results if r.status == k) for k in ("posted", "corrected", "unchanged", "rejected")}
    return PostResult.model_construct(received=len(request.rows), **counts, rows=results)


# --- reading ---------------------------------------------------------------------------------


def _may_read(principal: Principal, hospital_code: str) -> bool:
    return principal.role in OVERSEERS or (principal.role is Role.HOSPITAL and principal.tenant == hospital_code)


async def read(session: AsyncSession, *, payable_id: int, principal: Principal):
    payable = await repository.payable(session, payable_id)
    if payable is None or not _may_read(principal, payable.hospital_code):
        raise not_found(f"fund payable {payable_id}")
    return (await with_parts(session, [payable]))[0]


async def listing(session: AsyncSession, *, principal: Principal, hospital_code: str | None, fund: str | None,
                  month: date | None, include_superseded: bool, after_id: int | None, limit: int):
    hospital_code = hospital_filter(principal, hospital_code)
    if hospital_code is NOBODY:
        return []
    found = await repository.payables(session, hospital_code=hospital_code, fund=fund, month=month,
                                      include_superseded=include_superseded, after_id=after_id, limit=limit)
    return await with_parts(session, found)


def offset_explain(payable: FundPayable, plan_id: int) -> dict:
    """An offset's explain: its entry in the payable's."""
    return next((e for e in payable.explain.get("offsets", []) if e.get("plan_id") == plan_id), {})


async def with_parts(session: AsyncSession, payables: list[FundPayable]):
    """Each payable with its offsets ((row, amount)) and deductions ((row, amount))."""
    ids = [p.id for p in payables]
    offsets, deductions = {}, {}
    for o, amount in await repository.offsets_of(session, ids):
        offsets.setdefault(o.payable_id, []).append((o, amount))
    for d, amount in await repository.deductions_of(session, ids):
        deductions.setdefault(d.payable_id, []).append((d, amount))
    return [(p, offsets.get(p.id, []), deductions.get(p.id, [])) for p in payables]
