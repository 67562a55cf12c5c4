from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep
from vbpkit.web.xlsx import attachment

from vbp_settlement.fund_payables.schemas import MONTH_PATTERN
from vbp_settlement.statements import service, xlsx
from vbp_settlement.statements.schemas import Statement

router = APIRouter(tags=["statements"])


@router.get("/hospitals/{hospital_code}/statements/{month}", response_model=Statement,
            responses={200: {"content": {xlsx.MEDIA_TYPE: {}}}},
            summary="A hospital's monthly statement: payables, direct settlements, offsets and net, as JSON or "
                    ".xlsx (`format=xlsx`) (SET-4/SET-5)")
async def read_statement(hospital_code: Annotated[str, Path(min_length=1, max_length=64)],
                         month: Annotated[str, Path(pattern=MONTH_PATTERN, description="YYYY-MM")],
                         session: SessionDep, principal: PrincipalDep,
                         format: Annotated[Literal["json", "xlsx"], Query()] = "json"):
    found = await service.statement(session, hospital_code=hospital_code, month=month, principal=principal)
    if format == "xlsx":
        return Response(content=xlsx.workbook(found), media_type=xlsx.MEDIA_TYPE, headers=attachment(
            f"statement-{hospital_code}-{month}.xlsx"))
    return found
