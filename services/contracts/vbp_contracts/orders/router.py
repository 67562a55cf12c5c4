from typing import Annotated

from fastapi import APIRouter, Query, Response
from vbpkit.db import SessionDep
from vbpkit.identity import PrincipalDep, Role, require_roles
from vbpkit.pagination import cut
from vbpkit.service_app import ClockDep

from vbp_contracts.orders import service
from vbp_contracts.orders.models import Order
from vbp_contracts.orders.schemas import (
    BulkOrderResult,
    BulkOrders,
    Confirmation,
    OrderCreate,
    OrderLineRead,
    OrderPage,
    OrderRead,
)
from vbp_contracts.parties import company_code, hospital_code

router = APIRouter(prefix="/orders", tags=["orders"])


async def read(session, order: Order) -> OrderRead:
    return OrderRead(
        id=order.id, hospital_code=order.hospital_code, his_order_no=order.his_order_no, placed_at=order.placed_at,
        lines=[OrderLineRead(
            line_no=l.line_no, product_id=l.product_id, batch_code=l.batch_code, agreement_id=l.agreement_id,
            manufacturer_code=l.manufacturer_code, distributor_code=l.distributor_code, quantity=l.quantity,
            unit_price=l.unit_price_fen, amount=l.quantity * l.unit_price_fen, beyond_agreed=l.beyond_agreed,
            status=l.status, decline_reason=l.decline_reason, delivered_quantity=l.delivered_quantity,
        ) for l in await service.lines_of(session, order.id)],
    )


@router.post("", response_model=OrderRead, status_code=201, dependencies=[require_roles(Role.HOSPITAL)],
             summary="Place an order (CON-4); the same HIS order number again returns the first order (200)")
async def place_order(body: OrderCreate, session: SessionDep, principal: PrincipalDep, clock: ClockDep,
                      response: Response) -> OrderRead:
    order, new = await service.place(session, hospital=hospital_code(principal), request=body,
                                     by=principal.actor, today=clock.today(),
                                     placed_at=clock.now())
    if not new:
        response.status_code = 200
    return await read(session, order)


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
    rows = await service.listing(session, principal, after=cursor, limit=limit + 1)
    rows, next_cursor = cut(rows, limit, lambda row: row.id)
    return OrderPage(items=[await read(session, o) for o in rows], next_cursor=next_cursor)


@router.get("/{order_id}", response_model=OrderRead, summary="Read an order you are party to")
async def read_order(order_id: int, session: SessionDep, principal: PrincipalDep) -> OrderRead:
    return await read(session, await service.visible(session, order_id, principal))


@router.post("/{order_id}/confirmation", response_model=OrderRead, dependencies=[require_roles(Role.COMPANY)],
             summary="The designated distributor confirms or declines lines, with a reason (CON-4)")
async def confirm(order_id: int, body: Confirmation, session: SessionDep, principal: PrincipalDep,
                  clock: ClockDep) -> OrderRead:
    distributor = company_code(principal)
    order = await service.visible(session, order_id, principal, for_update=True)
    await service.confirm(session, order, distributor=distributor, decisions=body.lines, today=clock.today())
    await session.flush()
    return await read(session, order)
