from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbpkit.runtime.service_app import ClockDep
from vbpkit.web import parties
from vbpkit.web.bulk_rows import BULK_RESPONSES, bulk_status
from vbpkit.web.query_names import invalid_query

from vbp_contracts.orders import service
from vbp_contracts.orders.schemas import (
    BulkOrderResult,
    BulkOrders,
    Confirmation,
    OrderCreate,
    OrderFilter,
    OrderPage,
    OrderRead,
)

router = APIRouter(prefix="/orders", tags=["orders"])


@router.post("", response_model=OrderRead, status_code=201, dependencies=[require_roles(Role.HOSPITAL)],
             summary="Place an order (CON-4); the same HIS order number again returns the first order (200)")
async def place_order(body: OrderCreate, session: SessionDep, principal: PrincipalDep, clock: ClockDep,
                      response: Response) -> OrderRead:
    view, new = await service.place_order(session, hospital=parties.hospital_code(principal), request=body,
                                          by=principal.actor, today=clock.today(), placed_at=clock.now())
    if not new:
        response.status_code = 200
    return OrderRead.of(view)


@router.post("/bulk", response_model=BulkOrderResult, dependencies=[require_roles(Role.HOSPITAL)],
             responses=BULK_RESPONSES,
             summary="Month-end upload: up to 10,000 order lines; each order idempotent on its HIS number")
async def place_orders(body: BulkOrders, session: SessionDep, principal: PrincipalDep, clock: ClockDep,
                       response: Response) -> BulkOrderResult:
    result = BulkOrderResult(**await service.place_bulk(
        session, hospital=parties.hospital_code(principal), orders=body.orders,
        by=principal.actor, today=clock.today(), placed_at=clock.now()))
    bulk_status(response, stored=result.created + result.existing, errors=result.errors, rows_field="orders")
    return result


@router.get("", response_model=OrderPage, summary="Orders: a hospital's own, or those routed to a distributor")
async def list_orders(
    session: SessionDep, principal: PrincipalDep,
    hospital_code: Annotated[str | None, Query(max_length=64, description="orders of this hospital")] = None,
    company_code: Annotated[str | None, Query(
        max_length=18, description="orders with a line this company distributes or manufactures")] = None,
    batch_code: Annotated[str | None, Query(max_length=64, description="orders with a line of this batch")] = None,
    status: Annotated[Literal["pending", "confirmed", "declined"] | None, Query(
        description="orders with a line in this status")] = None,
    placed_from: Annotated[date | None, Query(description="placed on or after this day (Asia/Shanghai)")] = None,
    placed_to: Annotated[date | None, Query(description="placed on or before this day (Asia/Shanghai)")] = None,
    cursor: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> OrderPage:
    if placed_from and placed_to and placed_to < placed_from:
        raise invalid_query("placed_to", f"{placed_to} is before placed_from {placed_from}")
    wanted = OrderFilter(hospital_code=hospital_code, company_code=company_code, batch_code=batch_code,
                         status=status, placed_from=placed_from, placed_to=placed_to)
    views, next_cursor = await service.page(session, principal, wanted=wanted, after=cursor, limit=limit)
    return OrderPage(items=[OrderRead.of(v) for v in views], next_cursor=next_cursor)


@router.get("/{order_id}", response_model=OrderRead, summary="Read an order you are party to")
async def read_order(order_id: int, session: SessionDep, principal: PrincipalDep) -> OrderRead:
    return OrderRead.of(await service.read(session, order_id=order_id, principal=principal))


@router.post("/{order_id}/confirmation", response_model=OrderRead, dependencies=[require_roles(Role.COMPANY)],
             summary="The designated distributor confirms or declines lines, with a reason (CON-4)")
async def confirm(order_id: int, body: Confirmation, session: SessionDep, principal: PrincipalDep,
                  clock: ClockDep) -> OrderRead:
    return OrderRead.of(await service.confirm_order(session, order_id=order_id, principal=principal,
                                                    decisions=body.lines, today=clock.today()))
