"""CON-4 orders from a HIS: priced at the winning price, routed to the designated
distributor, confirmed or declined line by line, idempotent on the HIS order number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.messaging import outbox
from vbpkit.runtime.clock import SHANGHAI
from vbpkit.events.contracts import OrderLineConfirmed, OrderLineDeclined, OrderPlaced, SupplyLineFacts
from vbpkit.web.identity import Principal, Role
from vbpkit.web.pagination import cut
from vbpkit.web.problems import Problem
from vbpkit.web.parties import OVERSEERS, company_code, may_see, not_found

from vbp_contracts.orders import bulk, repository
from vbp_contracts.orders.models import Order, OrderLine
from vbp_contracts.orders.pricing import LineRefused, ProductRoutes, priced_line
from vbp_contracts.orders.schemas import OrderCreate, OrderFilter


def ordered_on(order: Order) -> date:
    """The order's date in Asia/Shanghai (§3): what MON-6 counts the delivery window from and
    what no delivery or acceptance may precede (CON-5)."""
    return order.placed_at.astimezone(SHANGHAI).date()


def supply_facts(order: Order, line: OrderLine) -> SupplyLineFacts:
    return SupplyLineFacts(
        order_id=order.id, line_no=line.line_no, hospital_code=order.hospital_code, product_id=line.product_id,
        batch_code=line.batch_code, agreement_id=line.agreement_id, manufacturer_code=line.manufacturer_code,
        distributor_code=line.distributor_code, quantity=line.quantity, ordered_on=ordered_on(order))


async def place(session: AsyncSession, *, hospital: str, request: OrderCreate, by: str, today: date,
                placed_at: datetime | None = None) -> tuple[Order, bool]:
    """Returns the order and whether it is new. The same HIS order again returns the first,
    also when both are sent at once: the hospital's lock, the one the month-end upload takes,
    comes before the lookup (issue 21). ``placed_at`` comes from the service's clock, so the
    order date every later date is checked against (CON-5) is the one the clock says, not the
    database server's."""
    await repository.lock_hospital_orders(session, hospital_code=hospital)
    existing = await repository.order_by_his_number(session, hospital_code=hospital,
                                                    his_order_no=request.his_order_no)
    if existing is not None:
        if existing.request_sha256 != request.fingerprint():
            raise Problem(409, "order-number-reused",
                          detail=f"HIS order {request.his_order_no} was placed before with other lines",
                          errors=[{"field": "body.his_order_no", "reason": "already used with another content"}])
        return existing, False
    routes = ProductRoutes(hospital, today)
    errors, lines, pending = [], [], {}
    for line in request.lines:
        try:
            lines.append(await priced_line(session, routes, line, pending))
        except LineRefused as refused:
            errors.append(refused.error)
    if errors:
        raise Problem(422, "order-refused", "Order refused",
                      f"{len(errors)} line(s) refused; nothing was placed: " + "; ".join(e["reason"] for e in errors[:3]),
                      errors=errors)
    routes.count_placed(pending)
    order = Order(hospital_code=hospital, his_order_no=request.his_order_no, request_sha256=request.fingerprint(),
                  placed_by=by, **({"placed_at": placed_at.astimezone(timezone.utc)} if placed_at else {}))
    session.add(order)
    await session.flush()
    session.add_all([OrderLine(order_id=order.id, status="pending", delivered_quantity=0, **line.model_dump())
                     for line in lines])
    await session.flush()
    outbox.add(session, OrderPlaced(
        order_id=order.id, hospital_code=hospital, his_order_no=order.his_order_no,
        lines=lines, ordered_on=placed_at.astimezone(SHANGHAI).date() if placed_at else today), key=hospital)
    return order, True


async def place_bulk(session: AsyncSession, *, hospital: str, orders: list[dict], by: str, today: date,
                     placed_at: datetime | None = None) -> dict:
    """Month-end upload (CON-4), set-based: see :mod:`vbp_contracts.orders.bulk`."""
    return await bulk.place_bulk(session, hospital=hospital, orders=orders, by=by, today=today, placed_at=placed_at)


async def lines_of(session: AsyncSession, order_id: int) -> list[OrderLine]:
    return await repository.lines_of_order(session, order_id=order_id)


@dataclass(frozen=True)
class OrderView:
    """An order as its parties read it, with its lines."""

    order: Order
    lines: list[OrderLine]


async def view_of(session: AsyncSession, order: Order) -> OrderView:
    return OrderView(order=order, lines=await lines_of(session, order.id))


async def place_order(session: AsyncSession, *, hospital: str, request: OrderCreate, by: str, today: date,
                      placed_at: datetime | None = None) -> tuple[OrderView, bool]:
    order, new = await place(session, hospital=hospital, request=request, by=by, today=today, placed_at=placed_at)
    return await view_of(session, order), new


async def read(session: AsyncSession, *, order_id: int, principal: Principal) -> OrderView:
    return await view_of(session, await visible(session, order_id, principal))


async def page(session: AsyncSession, principal: Principal, *, wanted: OrderFilter, after: int | None,
               limit: int) -> tuple[list[OrderView], int | None]:
    rows, next_cursor = cut(await listing(session, principal, wanted=wanted, after=after, limit=limit + 1), limit,
                            lambda row: row.id)
    return [await view_of(session, o) for o in rows], next_cursor


async def confirm_order(session: AsyncSession, *, order_id: int, principal: Principal, decisions,
                        today: date) -> OrderView:
    distributor = company_code(principal)
    order = await visible(session, order_id, principal, for_update=True)
    await confirm(session, order, distributor=distributor, decisions=decisions, today=today)
    await session.flush()
    return await view_of(session, order)


async def visible(session: AsyncSession, order_id: int, principal: Principal, *, for_update=False) -> Order:
    """GW-5: an order the caller is not party to is as missing as one that does not exist."""
    order = await repository.order_or_404(session, order_id=order_id, for_update=for_update)
    companies = await repository.companies_of_order(session, order_id=order_id)
    if not may_see(principal, hospital=order.hospital_code, companies=companies):
        raise not_found(f"order {order_id}")
    return order


async def listing(session: AsyncSession, principal: Principal, *, wanted: OrderFilter, after: int | None,
                  limit: int) -> list[Order]:
    """A hospital lists its own orders, a company those it distributes or manufactures a line of,
    the bureau all; ``wanted`` narrows that scope and never widens it (another hospital's code
    asked for by a hospital finds nothing)."""
    if principal.role in (Role.HOSPITAL, Role.COMPANY) and principal.tenant is None:
        return []
    page = dict(wanted=wanted, after=after, limit=limit)
    if principal.role is Role.HOSPITAL:
        return await repository.orders_page(session, scope_hospital=principal.tenant, **page)
    if principal.role is Role.COMPANY:
        return await repository.orders_page(session, scope_company=principal.tenant, **page)
    if principal.role in OVERSEERS:
        return await repository.orders_page(session, **page)
    return []


async def refuse_revoked(session: AsyncSession, lines, distributor: str) -> None:
    """CON-6 (seed 001, 取消配送资格): once the bureau revokes a distributor it no longer
    confirms or delivers the agreement's open lines, even before the manufacturer has
    designated the next one and the lines have moved."""
    agreement_ids = {l.agreement_id for l in lines if l.distributor_code == distributor}
    current = await repository.current_distributors(session, agreement_ids=agreement_ids)
    revoked = sorted(a for a in agreement_ids if current.get(a) != distributor)
    if revoked:
        raise Problem(403, detail=f"you are no longer the designated distributor of agreement(s) {revoked} (CON-6)")


async def confirm(session: AsyncSession, order: Order, *, distributor: str, decisions, today: date) -> None:
    """CON-4: each decision is an event (confirmed, or declined with its reason) dated by the
    service's clock, so MON-6 and MON-8 see supply line by line."""
    lines = {l.line_no: l for l in await lines_of(session, order.id)}
    if not any(l.distributor_code == distributor for l in lines.values()):
        # the manufacturer sees the order but the distributor confirms it (CON-4)
        raise Problem(403, detail=f"no line of order {order.id} is routed to you")
    await refuse_revoked(session, [lines[d.line_no] for d in decisions if d.line_no in lines], distributor)
    errors = []
    for decision in decisions:
        line = lines.get(decision.line_no)
        if line is None or line.distributor_code != distributor:
            errors.append({"field": f"body.lines[line_no={decision.line_no}]", "reason": "not a line routed to you"})
        elif line.status != "pending":
            errors.append({"field": f"body.lines[line_no={decision.line_no}]", "reason": f"already {line.status}"})
    if errors:
        raise Problem(422, detail="some decisions cannot be applied; nothing was changed", errors=errors)
    for decision in decisions:
        line = lines[decision.line_no]
        line.status = "confirmed" if decision.decision == "confirm" else "declined"
        line.decline_reason = decision.reason if decision.decision == "decline" else None
        facts = supply_facts(order, line)
        if decision.decision == "confirm":
            outbox.add(session, OrderLineConfirmed(line=facts, confirmed_on=today), key=order.hospital_code)
        else:
            outbox.add(session, OrderLineDeclined(line=facts, declined_on=today, reason=decision.reason),
                       key=order.hospital_code)
