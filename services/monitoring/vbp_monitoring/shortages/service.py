"""MON-12 shortages (seed 004: 对短缺药品…逐级上报; seed 003: 应急保障措施).

A hospital reports a product short in its region, or an insurer in its region or one under it
(a county insurer for its county): since when, by how much, with a note. The insurer of the
region it was reported in handles it — the hospital's county insurer for a hospital's report,
the reporting insurer for its own. Where it cannot solve it, that insurer escalates it to the
insurer of the parent region (``vbpkit.domain.regions``: county → city → province; a
province's has none above it, 409); the insurer handling it resolves it with what was done — a
backup designated (CAT-13), a volume transfer (CON-7), supply restored, or other — and the
words. Each step is announced (``monitoring.shortage.reported`` / ``.escalated`` /
``.resolved``). Who reads: the hospital its own, the manufacturer those of its products, an
insurer those in its region (so a parent region's sees its counties' before they reach it),
the exchange and admins all.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.domain.regions import is_known, is_within, region
from vbpkit.events.monitoring import ShortageEscalated, ShortageReported, ShortageResolved
from vbpkit.messaging import outbox
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.projections.registry import repository as registry
from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem
from vbpkit.web.read_scope import ReadScope, scoped_rows

from vbp_monitoring.shortages import repository
from vbp_monitoring.shortages.models import Shortage
from vbp_monitoring.shortages.schemas import EscalationIn, ResolutionIn, ShortageIn


def _refused(field: str, reason: str) -> Problem:
    return Problem(422, "validation-error", "Invalid shortage", f"{field}: {reason} (MON-12)",
                   errors=[{"field": field, "reason": reason}])


def _insurer_region(principal: Principal) -> str:
    if principal.role is not Role.INSURER or not principal.tenant or not is_known(principal.tenant):
        raise Problem(403, detail="the insurer of a region handles shortages (MON-12)")
    return principal.tenant


async def _where(session: AsyncSession, request: ShortageIn, principal: Principal) -> tuple[str, str, str | None]:
    """(region short, region handling, hospital reporting) of a new report."""
    if principal.role is Role.HOSPITAL and principal.tenant:
        institution = await registry.institution(session, principal.tenant)
        own = institution.region_code if institution else None
        if not own or not is_known(own):
            raise _refused("body.region_code", f"{principal.tenant} has no known region registered (CAT-9)")
        if request.region_code not in (None, own):
            raise _refused("body.region_code", f"a hospital reports for its own region {own}")
        return own, own, principal.tenant
    own = _insurer_region(principal)
    wanted = request.region_code or own
    if not is_known(wanted) or not is_within(wanted, own):
        raise _refused("body.region_code", f"{wanted} is not {own} or a region under it")
    return wanted, own, None


async def report(session: AsyncSession, *, request: ShortageIn, principal: Principal, today: date) -> Shortage:
    if request.since > today:
        raise _refused("body.since", f"after today ({today}): a shortage is reported once it began")
    product = await catalog.product(session, request.product_id)
    if product is None:
        raise _refused("body.product_id", f"unknown product {request.product_id}")
    short_in, handling, hospital = await _where(session, request, principal)
    shortage = Shortage(product_id=product.product_id, batch_code=product.batch_code,
                        company_code=product.applicant_credit_code or "", region_code=short_in, hospital_code=hospital,
                        handling_region_code=handling, since=request.since, quantity_short=request.quantity_short,
                        note=request.note, escalations=[], reported_by=principal.actor)
    session.add(shortage)
    await session.flush()
    outbox.add(session, ShortageReported(
        shortage_id=shortage.id, product_id=shortage.product_id, batch_code=shortage.batch_code,
        company_code=shortage.company_code, region_code=short_in, hospital_code=hospital, since=shortage.since,
        quantity_short=shortage.quantity_short), key=str(shortage.product_id))
    return shortage


async def read(session: AsyncSession, *, shortage_id: int, principal: Principal, for_update: bool = False) -> Shortage:
    shortage = await repository.shortage(session, shortage_id, for_update=for_update)
    if shortage is None or not ReadScope.of(principal).sees(shortage):
        raise Problem(404, detail=f"no shortage {shortage_id} of yours")
    return shortage


async def _handled(session: AsyncSession, shortage_id: int, principal: Principal) -> Shortage:
    """An open shortage the caller's region handles: its insurer, or one above it."""
    own = _insurer_region(principal)
    shortage = await read(session, shortage_id=shortage_id, principal=principal, for_update=True)
    if shortage.status != "open":
        raise Problem(409, detail=f"shortage {shortage_id} is resolved already")
    if not is_within(shortage.handling_region_code, own):
        raise Problem(403, detail=f"shortage {shortage_id} is handled by the insurer of "
                                  f"{shortage.handling_region_code}, above your region {own}")
    return shortage


async def escalate(session: AsyncSession, *, shortage_id: int, request: EscalationIn, principal: Principal,
                   today: date) -> Shortage:
    shortage = await _handled(session, shortage_id, principal)
    parent = region(shortage.handling_region_code).parent
    if parent is None:
        raise Problem(409, detail=f"{shortage.handling_region_code} is a province: there is no region above it to "
                                  "escalate to")
    shortage.escalations = [*shortage.escalations, {"from": shortage.handling_region_code, "to": parent,
                                                    "by": principal.actor, "on": today.isoformat(),
                                                    "note": request.note}]
    outbox.add(session, ShortageEscalated(shortage_id=shortage.id, product_id=shortage.product_id,
                                          from_region_code=shortage.handling_region_code, to_region_code=parent,
                                          escalated_on=today), key=str(shortage.product_id))
    shortage.handling_region_code = parent
    await session.flush()
    return shortage


async def resolve(session: AsyncSession, *, shortage_id: int, request: ResolutionIn, principal: Principal,
                  today: date) -> Shortage:
    shortage = await _handled(session, shortage_id, principal)
    shortage.status, shortage.action, shortage.resolution = "resolved", request.action, request.resolution
    shortage.resolved_by, shortage.resolved_on = principal.actor, today
    outbox.add(session, ShortageResolved(shortage_id=shortage.id, product_id=shortage.product_id,
                                         region_code=shortage.region_code, action=request.action, resolved_on=today),
               key=str(shortage.product_id))
    await session.flush()
    return shortage


async def listing(session: AsyncSession, *, principal: Principal, filters: dict, after_id: int | None,
                  limit: int) -> list[Shortage]:
    return await scoped_rows(principal, filters, lambda narrowed, after, size: repository.listing(
        session, filters=narrowed, after_id=after, limit=size), after=after_id, limit=limit)
