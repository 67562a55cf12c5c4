from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep
from vbpkit.runtime.service_app import ClockDep, SettingsDep
from vbpkit.web.xlsx import MEDIA_TYPE, attachment

from vbp_monitoring.assessment import service
from vbp_monitoring.assessment.schemas import Assessment
from vbp_monitoring.assessment.xlsx import assessment_workbook

router = APIRouter(tags=["assessments"])


@router.get("/assessments/{year}", response_model=Assessment, responses={200: {"content": {MEDIA_TYPE: {}}}},
            summary="年度考核 of an agreement year of a batch: per hospital completion, on-time payment, onboarding, "
                    "substitutes, savings, a weighted score and grade; per company fill rate, lead time, breaches "
                    "and rating — JSON or .xlsx (`format=xlsx`) (MON-7)")
async def read_assessment(year: Annotated[int, Path(ge=1, le=50)],
                          batch_code: Annotated[str, Query(min_length=1, max_length=64)], session: SessionDep,
                          principal: PrincipalDep, clock: ClockDep, settings: SettingsDep,
                          as_of: date | None = None, format: Literal["json", "xlsx"] = "json"):
    found = await service.assessment(session, principal=principal, batch_code=batch_code, year=year,
                                     as_of=as_of or clock.today(), weights=settings.assessment_weights,
                                     grades=settings.assessment_grades)
    if format == "xlsx":
        book = assessment_workbook(found, generated_at=clock.now(), generated_by=principal.actor)
        return Response(content=book, media_type=MEDIA_TYPE, headers=attachment(
            f"assessment-{batch_code}-{year}.xlsx"))
    return Assessment(**found)
