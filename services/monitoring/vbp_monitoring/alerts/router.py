from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from vbpkit.db.engine import SessionDep
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.web.downloads import DOWNLOAD_MAX_ROWS, DOWNLOADS, Format, download
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbpkit.runtime.service_app import ClockDep

from vbp_monitoring.alerts import service
from vbp_monitoring.alerts.models import KINDS
from vbp_monitoring.alerts.schemas import ALERT_COLUMNS, Acknowledgement, AlertCheck, AlertPage, AlertRead

router = APIRouter(tags=["alerts"])


@router.get("/alerts", response_model=AlertPage, responses=DOWNLOADS,
            summary="Alerts (MON-1 … MON-10, CAT-12 pre-listing), filtered; each party sees its own; "
                    "every selected alert as .csv or .xlsx with `format`")
async def list_alerts(session: SessionDep, principal: PrincipalDep, clock: ClockDep,
                      batch_code: Annotated[str | None, Query(max_length=64)] = None,
                      hospital_code: Annotated[str | None, Query(max_length=64)] = None,
                      company_code: Annotated[str | None, Query(max_length=18)] = None,
                      region_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
                      kind: Literal[KINDS] | None = None,  # every kind raised (issue 25: MON-11's and MON-12's too)
                      period: Annotated[str | None, Query(max_length=16)] = None,
                      status: Literal["open", "acknowledged", "resolved"] | None = None,
                      format: Format = "json",
                      cursor: Annotated[int | None, Query(ge=0, le=BIGINT_MAX)] = None,
                      limit: Annotated[int, Query(ge=1, le=200)] = 50):
    filters = {"batch_code": batch_code, "hospital_code": hospital_code, "company_code": company_code,
               "kind": kind, "period": period, "status": status}
    downloading = format != "json"  # every selected alert, not a page
    found, names = await service.listing(session, principal=principal, region_code=region_code,
                                         after_id=None if downloading else cursor,
                                         limit=DOWNLOAD_MAX_ROWS + 1 if downloading else limit, filters=filters)
    if downloading:
        return download(format, title="预警 (alerts)", columns=ALERT_COLUMNS,
                        rows=[AlertRead.of(a, names).model_dump() for a in found], filename=f"alerts-{clock.today()}",
                        generated_at=clock.now(), generated_by=principal.actor,
                        filters={**filters, "region_code": region_code})
    return AlertPage(items=[AlertRead.of(a, names) for a in found],
                     next_cursor=found[-1].id if len(found) == limit else None)


@router.post("/alerts/{alert_id}/acknowledgement", response_model=AlertRead,
             dependencies=[require_roles(Role.INSURER, Role.HOSPITAL)],
             summary="Acknowledge an open alert with a note (the bureau, or the hospital concerned)")
async def acknowledge(alert_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)], body: Acknowledgement,
                      session: SessionDep, principal: PrincipalDep, clock: ClockDep) -> AlertRead:
    return AlertRead.of(await service.acknowledge(session, alert_id=alert_id, note=body.note, principal=principal,
                                                  at=clock.now()))


@router.post("/alert-checks", response_model=AlertCheck, dependencies=[require_roles(Role.INSURER)],
             summary="Run the MON-2/MON-3/MON-5 checks now on the service's clock (they also run on their own schedule)")
async def run_checks(session: SessionDep, clock: ClockDep) -> AlertCheck:
    today = clock.today()
    return AlertCheck(checked_on=today, alerts_raised=await service.run_alert_checks(session, today=today))
