"""MON-13 supply problem reports (seeds 000/004: 及时报告 problems of supply, accompanying service
and quality; seed 004: 逐级上报).

A hospital reports a problem — not delivered, late, accompanying service missing, quality —
against one of its orders or one line of it, as monitoring knows them (a line its distributor
confirmed or declined). The report names a company: the line's distributor by default (the
manufacturer for quality), or either of them as the hospital says. The company named reads the
report and answers it; the insurer of the hospital's region decides: **confirmed**, it becomes a
MON-6 breach (recorded, with the severity the insurer gives, counted for the rating from then)
— or, where the check found the same breach of that line already, it is linked to that one;
**dismissed**, with the reason. Each report and decision is announced
(``monitoring.supply_report.filed`` / ``.decided``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events.monitoring import SupplyReportDecided, SupplyReportFiled
from vbpkit.messaging import outbox
from vbpkit.projections.registry import repository as registry
from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem
from vbpkit.web.read_scope import ReadScope, scoped_rows

from vbp_monitoring.credit import repository as breaches
from vbp_monitoring.credit import service as credit
from vbp_monitoring.supply_reports import repository
from vbp_monitoring.supply_reports.models import BREACH_KIND, SupplyReport
from vbp_monitoring.supply_reports.schemas import AnswerIn, DecisionIn, ReportIn


def _refused(field: str, reason: str) -> Problem:
    return Problem(422, "validation-error", "Invalid report", f"{field}: {reason}",
                   errors=[{"field": field, "reason": reason}])


async def file(session: AsyncSession, *, request: ReportIn, principal: Principal, today: date) -> SupplyReport:
    if request.occurred_on > today:
        raise _refused("body.occurred_on", f"after today ({today}): a problem is reported once it occurred")
    lines = [line for line in await repository.order_lines(session, request.order_id)
             if line.hospital_code == principal.tenant]
    if not lines:
        raise _refused("body.order_id", f"no order {request.order_id} of yours that its distributor answered is "
                                        "known to monitoring")
    if request.line_no is not None:
        lines = [line for line in lines if line.line_no == request.line_no]
        if not lines:
            raise _refused("body.line_no", f"order {request.order_id} has no line {request.line_no}")
    parties = {line.distributor_code for line in lines} | {line.manufacturer_code for line in lines}
    company = request.company_code or (lines[0].manufacturer_code if request.kind == "quality"
                                       else lines[0].distributor_code)
    if company not in parties:
        raise _refused("body.company_code", f"{company} is neither the manufacturer nor the distributor of the "
                                            "order's lines")
    institution = await registry.institution(session, principal.tenant)
    report = SupplyReport(
        hospital_code=principal.tenant, region_code=institution.region_code if institution else None,
        company_code=company, batch_code=lines[0].batch_code, order_id=request.order_id, line_no=request.line_no,
        kind=request.kind, occurred_on=request.occurred_on, description=request.description,
        reported_by=principal.actor)
    session.add(report)
    await session.flush()
    outbox.add(session, SupplyReportFiled(
        report_id=report.id, hospital_code=report.hospital_code, region_code=report.region_code,
        company_code=company, batch_code=report.batch_code, order_id=report.order_id, line_no=report.line_no,
        kind=report.kind, occurred_on=report.occurred_on), key=company)
    return report


async def _visible(session: AsyncSession, report_id: int, principal: Principal, *, for_update: bool = False
                   ) -> SupplyReport:
    report = await repository.report(session, report_id, for_update=for_update)
    scope = ReadScope.of(principal)
    if report is None or not scope.sees(report):
        raise Problem(404, detail=f"no supply report {report_id} of yours")
    return report


async def answer(session: AsyncSession, *, report_id: int, request: AnswerIn, principal: Principal,
                 now: datetime) -> SupplyReport:
    """The company the report names answers it, once, while it is open."""
    report = await _visible(session, report_id, principal, for_update=True)
    if principal.role is not Role.COMPANY:
        raise Problem(403, detail="the company the report names answers it")
    if report.status != "open" or report.answer is not None:
        raise Problem(409, detail=f"supply report {report_id} is {report.status}"
                                  f"{' and answered' if report.answer else ''}")
    report.answer, report.answered_by, report.answered_at = request.answer, principal.actor, now
    await session.flush()
    return report


async def decide(session: AsyncSession, *, report_id: int, request: DecisionIn, principal: Principal,
                 today: date, now: datetime) -> SupplyReport:
    """The insurer of the hospital's region confirms the report into a breach, or dismisses it."""
    report = await _visible(session, report_id, principal, for_update=True)
    if report.status != "open":
        raise Problem(409, detail=f"supply report {report_id} is already {report.status}")
    if request.decision == "confirm":
        if request.severity is None:
            raise _refused("body.severity", "required to confirm: the breach's severity (一般, 中等, 严重, 特别严重)")
        kind = BREACH_KIND[report.kind]
        line = None if report.line_no is None else (report.order_id, report.line_no)
        found = await breaches.add_breaches(session, [dict(
            company_code=report.company_code, batch_code=report.batch_code, kind=kind, severity=request.severity,
            occurred_on=report.occurred_on, source="recorded", hospital_code=report.hospital_code,
            order_id=report.order_id, line_no=report.line_no, recorded_by=principal.actor,
            description=f"{report.description} (MON-13 report {report.id}: {request.reason})")])
        if not found and line:  # the check found this line's breach already: the report is linked to it
            found = [await breaches.line_breach(session, kind=kind, order_id=line[0], line_no=line[1])]
        report.breach_id = found[0].id
        await credit.rate(session, today=today, company_codes={report.company_code})
    report.status = "confirmed" if request.decision == "confirm" else "dismissed"
    report.decision_reason, report.decided_by, report.decided_at = request.reason, principal.actor, now
    outbox.add(session, SupplyReportDecided(
        report_id=report.id, hospital_code=report.hospital_code, company_code=report.company_code,
        decision=report.status, breach_id=report.breach_id, reason=request.reason, decided_on=today),
        key=report.company_code)
    await session.flush()
    return report


async def listing(session: AsyncSession, *, principal: Principal, filters: dict, after_id: int | None,
                  limit: int) -> list[SupplyReport]:
    """A hospital its own, a company those naming it, an insurer its region's, the exchange and admins all."""
    return await scoped_rows(principal, filters, lambda narrowed, after, size: repository.listing(
        session, filters=narrowed, after_id=after, limit=size), after=after_id, limit=limit)
