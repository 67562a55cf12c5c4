from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from vbpkit.db.engine import SessionDep
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbpkit.runtime.service_app import ClockDep
from vbpkit.web.xlsx import MEDIA_TYPE, Sheet, workbook, attachment

from vbp_catalog.payment_standards import service
from vbp_catalog.payment_standards.schemas import StandardRead, StandardSet, Table, TableRow

router = APIRouter(tags=["payment standards"])
COLUMNS = ["product_id", "batch_code", "insurance_code", "registration_no", "name", "spec", "company", "category", "standard", "rule",
           "in_catalogue", "excluded_content", "effective_from", "effective_to"]


@router.get("/products/{product_id}/payment-standard", response_model=StandardRead, response_model_by_alias=True,
            summary="A product's insurance payment standard on a day, with its rule, history and explain (CAT-11)")
async def read_standard(product_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)], session: SessionDep,
                        clock: ClockDep, on: date | None = None) -> StandardRead:
    return StandardRead.of(await service.read(session, product_id=product_id, day=on or clock.today()))


@router.put("/products/{product_id}/payment-standard", response_model=StandardRead, response_model_by_alias=True,
            dependencies=[require_roles(Role.INSURER)],
            summary="Fix a product's payment standard, set its category and scope, or hand it back to the policy "
                    "(insurer, CAT-11)")
async def set_standard(product_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)], body: StandardSet, session: SessionDep,
                       principal: PrincipalDep, clock: ClockDep) -> StandardRead:
    return StandardRead.of(await service.set_by_insurer(session, product_id=product_id, request=body,
                                                        by=principal.actor, today=clock.today()))


@router.get("/payment-standards", response_model=Table, dependencies=[require_roles(Role.INSURER, Role.EXCHANGE)],
            responses={200: {"content": {MEDIA_TYPE: {}}}},
            summary="Every product's payment standard on a day, JSON or .xlsx in the layout an insurance core system "
                    "imports (CAT-11)")
async def download(session: SessionDep, clock: ClockDep, on: date | None = None,
                   batch_code: Annotated[str | None, Query(max_length=64)] = None,
                   format: Literal["json", "xlsx"] = "json"):
    day = on or clock.today()
    rows = await service.table(session, day=day, batch_code=batch_code)
    if format == "xlsx":
        book = workbook([Sheet(f"支付标准 {day.isoformat()}", COLUMNS, [[r[c] for c in COLUMNS] for r in rows],
                               money={"standard"})])
        return Response(content=book, media_type=MEDIA_TYPE, headers=attachment(
            f"payment-standards-{day.isoformat()}.xlsx"))
    return Table(on=day, items=[TableRow(**r) for r in rows])
