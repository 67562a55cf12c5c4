from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response
from vbpkit.web.bulk_rows import BULK_RESPONSES, BulkResult, BulkRows, answered, rows_example
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbpkit.runtime.service_app import ClockDep

from vbp_catalog.products import importer, service
from vbp_catalog.products.schemas import (
    DifferentialQuote,
    ProductDetail,
    ProductPage,
    ProductRead,
    Status,
    StatusChange,
)

router = APIRouter(tags=["products"])


@router.post("/batches/{code}/products", response_model=BulkResult, responses=BULK_RESPONSES,
             dependencies=[require_roles(Role.EXCHANGE)],
             summary="Push listing rows for a batch (CAT-3/4/5/7/8), up to 10,000, idempotent",
             description="Upserted by (registration number, spec). Refused rows are reported by number (from 1) "
             "and field, the others stored: 200 all stored, 207 some refused, 422 none stored. An unchanged row "
             "changes nothing and emits nothing. A group the batch does not have is refused unless "
             "`create_groups=true`.")
async def push_listings(code: str, body: Annotated[BulkRows, Body(openapi_examples=rows_example(
                            "a winning stent with its accompanying service",
                            {"registration_no": "国械注准20163132305", "spec": "3.0×18mm", "name": "药物洗脱支架系统",
                             "applicant": "重庆某医疗器械有限公司", "applicant_credit_code": "91500000MA5U0XK1AA",
                             "registrant": "重庆某医疗器械有限公司", "product_price": "680.00",
                             "service_price": "50.00", "winning_price": "730.00", "group": "G1"}))],
                        session: SessionDep, principal: PrincipalDep,
                        clock: ClockDep, response: Response,
                        create_groups: Annotated[bool, Query(
                            description="add a group the batch does not have yet, named by its code")] = False,
                        ) -> BulkResult:
    return answered(response, await service.upsert_listings(
        session, batch_code=code, rows=body.rows, principal=principal, today=clock.today(),
        create_groups=create_groups))


@router.post("/batches/{code}/products/import", response_model=BulkResult, responses=BULK_RESPONSES,
             dependencies=[require_roles(Role.EXCHANGE)],
             summary="Import a winning-product table (.xlsx or .csv) laid out like seed 003's",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "text/csv": {"schema": {"type": "string"}},
                 importer.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
             }}})
async def import_listings(code: str, request: Request, session: SessionDep, principal: PrincipalDep,
                          clock: ClockDep, response: Response,
                          create_groups: Annotated[bool, Query(
                              description="add a group the batch does not have yet, named by its code")] = False,
                          ) -> BulkResult:
    return answered(response, await service.import_listings(
        session, batch_code=code, content=await request.body(),
        content_type=request.headers.get("content-type", ""), principal=principal, today=clock.today(),
        create_groups=create_groups,
    ))


@router.get("/products", response_model=ProductPage,
            summary="Search the catalog by batch, name, registration number, company, status")
async def search_products(
    session: SessionDep, principal: PrincipalDep,
    batch: Annotated[str | None, Query(description="batch code")] = None,
    name: Annotated[str | None, Query(min_length=1, description="part of the product name")] = None,
    registration_no: Annotated[str | None, Query(description="exact; a renewed one finds its successor")] = None,
    company: Annotated[str | None, Query(min_length=1, description="credit code, or part of a company name")] = None,
    status: Annotated[Status | None, Query()] = None,
    winning: Annotated[bool | None, Query()] = None,
    insurance_code: Annotated[str | None, Query(min_length=1, max_length=40, description=(
        "national insurance code (CAT-11), whole or its leading parts: C0301 finds every consumable of that "
        "classification"))] = None,
    mine: Annotated[bool, Query(description="a company: only its own products")] = False,
    cursor: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ProductPage:
    return await service.search(
        session, principal=principal, cursor=cursor, limit=limit, batch_code=batch, name=name,
        registration_no=registration_no, company=company, status=status, winning=winning, mine=mine,
        insurance_code=insurance_code,
    )


@router.get("/products/{product_id}", response_model=ProductDetail,
            summary="A product with its price and status history and its CAT-6 records")
async def read_product(product_id: int, session: SessionDep, principal: PrincipalDep) -> ProductDetail:
    return await service.detail(session, product_id=product_id)


@router.post("/products/{product_id}/status", response_model=ProductRead,
             dependencies=[require_roles(Role.EXCHANGE, Role.INSURER)],
             summary="Suspend, disqualify, delist or list a product again")
async def change_status(product_id: int, body: StatusChange, session: SessionDep, principal: PrincipalDep,
                        clock: ClockDep) -> ProductRead:
    return await service.set_status(session, product_id=product_id, request=body, by=principal.actor,
                                    today=clock.today())


@router.get("/products/{product_id}/differential-price", response_model=DifferentialQuote,
            summary="CAT-8: the price of another strength or pack of this winning drug")
async def quote_differential(
    product_id: int, session: SessionDep, principal: PrincipalDep,
    reference_strength: Annotated[Decimal, Query(gt=0)], strength: Annotated[Decimal, Query(gt=0)],
    reference_pack: Annotated[int, Query(gt=0)], pack: Annotated[int, Query(gt=0)],
) -> DifferentialQuote:
    return await service.quote_differential(
        session, product_id=product_id, reference_strength=reference_strength, strength=strength,
        reference_pack=reference_pack, pack=pack,
    )
