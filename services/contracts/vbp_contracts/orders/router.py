from typing import Annotated

from fastapi import APIRouter, Query, Response
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbpkit.runtime.service_app import ClockDep
from vbpkit.web.parties import hospital_code

from vbp_contracts.orders import service
from vbp_contracts.orders.schemas import (
    BulkOrderResult,
    BulkOrders,
    Confirmation,
    OrderCreate,
    OrderPage,
    OrderRead,
)

router = APIRouter(prefix="/orders", tags=["orders"])


@router.post("", response_model=OrderRead, status_code=201, dependencies=[require_roles(Role.HOSPITAL)],
             summary="Place an order (CON-4); the same HIS order number again returns the first order (200)")
async def place_order(body: OrderCreate, session: SessionDep, principal: PrincipalDep, clock: ClockDep,
                      response: Response) -> OrderRead:
    view, new = await service.place_order(session, hospital=hospital_code(principal), request=body,
                                          by=principal.actor, today=clock.today(), placed_at=clock.now())
    if not new:
        response.status_code = 200
    return OrderRead.of(view)


@router.post("/bulk", response_model=BulkOrderResult, dependencies=[require_roles(Role.HOSPITAL)],
             summary="Month-end upload: up to 10,000 order lines; each order idempotent on its HIS number")
async def place_orders(body: BulkOrders, session: SessionDep, principal: PrincipalDep,
                       clock: ClockDep) -> BulkOrderResult:
    return BulkOrderResult(**await service.place_bulk(
        session, hospital=hospital_code(principal), orders=body.orders,
        by=principal.actor, today=clock.today(), placed_at=clock.now()))


@router.get("", response_model=OrderPage, summary="Orders: a hospital's own, or those routed to a distributor")
async def list_orders(
    session: SessionDep, principal: PrincipalDep,
    cursor: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> OrderPage:
    views, next_cursor = await service.page(session, principal, after=cursor, limit=limit)
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
