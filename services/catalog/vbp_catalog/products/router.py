from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request
from vbpkit.bulk import BulkResult, BulkRows
from vbpkit.db import SessionDep
from vbpkit.identity import PrincipalDep, Role, require_roles
from vbpkit.pagination import cut
from vbpkit.problems import Problem
from vbpkit.service_app import ClockDep

from vbp_catalog.differential import differential_price
from vbp_catalog.lower_prices.schemas import lower_price_read, reduction_read
from vbp_catalog.products import importer, repository, service
from vbp_catalog.products.models import Product
from vbp_catalog.products.schemas import (
    ChangeRead,
    DifferentialQuote,
    ProductDetail,
    ProductPage,
    ProductRead,
    Status,
    StatusChange,
)
from vbp_catalog.registration import normalise_registration_no

router = APIRouter(tags=["products"])


def read(product: Product) -> ProductRead:
    return ProductRead(**_fields(product))


def _fields(product: Product) -> dict:
    return dict(
        id=product.id, batch_code=product.batch_code, group_code=product.group_code,
        registration_no=product.registration_no, spec=product.spec, name=product.name, applicant=product.applicant,
        applicant_credit_code=product.applicant_credit_code, registrant=product.registrant, unit=product.unit,
        winning=product.winning, product_price=product.product_price_fen, service_price=product.service_price_fen,
        winning_price=product.winning_price_fen, national_lowest_price=product.national_lowest_price_fen,
        derivation=product.derivation, status=product.status, renewed_from=product.renewed_from,
        updated_at=product.updated_at,
    )


async def product_or_404(session, product_id: int, *, for_update: bool = False) -> Product:
    product = await session.get(Product, product_id, with_for_update=for_update)
    if product is None:
        raise Problem(404, detail=f"no product {product_id}")
    return product


@router.post("/batches/{code}/products", response_model=BulkResult,
             dependencies=[require_roles(Role.EXCHANGE)],
             summary="Push listing rows for a batch (CAT-3/4/5/7/8), up to 10,000, idempotent",
             description="Upserted by (registration number, spec). Bad rows are reported by index and field; "
             "good rows are stored. An unchanged row changes nothing and emits nothing.")
async def push_listings(code: str, body: BulkRows, session: SessionDep, principal: PrincipalDep,
                        clock: ClockDep) -> BulkResult:
    return await service.upsert_listings(session, batch_code=code, rows=body.rows, principal=principal,
                                         today=clock.today())


@router.post("/batches/{code}/products/import", response_model=BulkResult,
             dependencies=[require_roles(Role.EXCHANGE)],
             summary="Import a winning-product table (.xlsx or .csv) laid out like seed 003's",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "text/csv": {"schema": {"type": "string"}},
                 importer.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
             }}})
async def import_listings(code: str, request: Request, session: SessionDep, principal: PrincipalDep,
                          clock: ClockDep) -> BulkResult:
    rows = importer.parse(await request.body(), request.headers.get("content-type", ""))
    if len(rows) > 10_000:
        raise Problem(422, detail=f"the table has {len(rows)} rows; at most 10,000 per import")
    return await service.upsert_listings(session, batch_code=code, rows=rows, principal=principal,
                                         today=clock.today())


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
    mine: Annotated[bool, Query(description="a company: only its own products")] = False,
    cursor: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ProductPage:
    if mine:
        if principal.role is not Role.COMPANY:
            raise Problem(422, detail="mine=true is for company callers",
                          errors=[{"field": "query.mine", "reason": "only for company keys"}])
        company = principal.tenant
    rows = await repository.search(
        session, after=cursor, limit=limit + 1, batch_code=batch, name=name,
        registration_no=normalise_registration_no(registration_no) if registration_no else None,
        company=company, status=status, winning=winning,
    )
    rows, next_cursor = cut(rows, limit, lambda row: row.id)
    return ProductPage(items=[read(p) for p in rows], next_cursor=next_cursor)


@router.get("/products/{product_id}", response_model=ProductDetail,
            summary="A product with its price and status history and its CAT-6 records")
async def read_product(product_id: int, session: SessionDep, principal: PrincipalDep) -> ProductDetail:
    product = await product_or_404(session, product_id)
    return ProductDetail(
        **_fields(product),
        history=[ChangeRead.model_validate(c) for c in await repository.history(session, product_id)],
        lower_prices=[lower_price_read(lp) for lp in await repository.lower_prices(session, product_id)],
        price_reductions=[reduction_read(r) for r in await repository.reductions(session, product_id)],
    )


@router.post("/products/{product_id}/status", response_model=ProductRead,
             dependencies=[require_roles(Role.EXCHANGE, Role.INSURER)],
             summary="Suspend, disqualify, delist or list a product again")
async def change_status(product_id: int, body: StatusChange, session: SessionDep, principal: PrincipalDep,
                        clock: ClockDep) -> ProductRead:
    product = await product_or_404(session, product_id, for_update=True)
    if product.status == body.status:
        raise Problem(409, detail=f"product {product_id} is already {body.status}")
    service.change_status(session, product, status=body.status, effective_on=body.effective_on or clock.today(),
                          reason=body.reason, by=service.actor(principal))
    await session.flush()
    await session.refresh(product)
    return read(product)


@router.get("/products/{product_id}/differential-price", response_model=DifferentialQuote,
            summary="CAT-8: the price of another strength or pack of this winning drug")
async def quote_differential(
    product_id: int, session: SessionDep, principal: PrincipalDep,
    reference_strength: Annotated[Decimal, Query(gt=0)], strength: Annotated[Decimal, Query(gt=0)],
    reference_pack: Annotated[int, Query(gt=0)], pack: Annotated[int, Query(gt=0)],
) -> DifferentialQuote:
    product = await product_or_404(session, product_id)
    if not product.winning:
        raise Problem(422, detail="differential pricing derives from a winning product (CAT-8)")
    batch = await service.batch_or_404(session, product.batch_code)
    if batch.kind != "drug":
        # The same refusal a listing row gets: 差比价 is a drug pricing relation (seed 002).
        raise Problem(422, detail=f"differential pricing (CAT-8) applies to drugs; batch {batch.code} lists consumables")
    quote = differential_price(
        product.product_price_fen, reference_strength=reference_strength, strength=strength,
        reference_pack=reference_pack, pack=pack, **service.differential_coefficients(batch),
    )
    return DifferentialQuote(price=quote.price_fen, explain=quote.explain())
