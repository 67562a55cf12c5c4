"""CON-5: deliveries (partial allowed), acceptance ≤ delivered, and returns.

Acceptance is the "purchase recorded" fact every other service counts, so its event
(``contracts.delivery.accepted`` v2) carries everything monitoring and settlement need,
with the order and delivery dates MON-6 measures lead time between. A delivery is its own
event (MON-6, MON-8 supply), and so is a return: a positive quantity with its reason
(``contracts.delivery.returned``), never a negative acceptance.

Every date is checked against the order and the service's clock: nothing is delivered
before it was ordered, accepted before it was delivered, returned before it was accepted,
or any of it on a day that has not come yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events.contracts import DeliveredLineFacts, DeliveryAcceptedV2, DeliveryRecorded, DeliveryReturned
from vbpkit.messaging import outbox
from vbpkit.projections.lot_holds import repository as lot_holds
from vbpkit.web.identity import Principal
from vbpkit.web.parties import may_see, not_found
from vbpkit.web.problems import Problem

from vbp_contracts.agreements.models import Agreement
from vbp_contracts.deliveries import repository
from vbp_contracts.deliveries.models import Delivery, DeliveryLine, Return
from vbp_contracts.deliveries.schemas import Acceptance, DeliveryCreate, ReturnCreate
from vbp_contracts.orders import repository as orders_repository
from vbp_contracts.orders.models import Order, OrderLine
from vbp_contracts.orders.service import ordered_on, refuse_revoked


def refuse_bad_date(field: str, day: date, *, not_before: date, earlier: str, today: date) -> None:
    """CON-5: a supply date lies between the step it follows and today (the service's clock);
    a date outside is a 422 naming the field, so a typo is not recorded as fact."""
    if day < not_before:
        raise Problem(422, detail=f"{field.removeprefix('body.')} {day} is before {earlier} {not_before}",
                      errors=[{"field": field, "reason": f"before {earlier} {not_before} (CON-5)"}])
    if day > today:
        raise Problem(422, detail=f"{field.removeprefix('body.')} {day} is in the future (today is {today})",
                      errors=[{"field": field, "reason": f"after today {today} (CON-5)"}])


async def lines_of(session: AsyncSession, delivery_id: int) -> list[DeliveryLine]:
    return await repository.lines_of_delivery(session, delivery_id=delivery_id)


@dataclass(frozen=True)
class DeliveryView:
    """A delivery as its parties read it, with its lines."""

    delivery: Delivery
    lines: list[DeliveryLine]


async def view_of(session: AsyncSession, delivery: Delivery) -> DeliveryView:
    return DeliveryView(delivery=delivery, lines=await lines_of(session, delivery.id))


async def record_delivery(session: AsyncSession, request: DeliveryCreate, *, distributor: str, by: str,
                          today: date) -> DeliveryView:
    return await view_of(session, await record(session, request, distributor=distributor, by=by, today=today))


async def read(session: AsyncSession, *, delivery_id: int, principal: Principal) -> DeliveryView:
    return await view_of(session, await visible(session, delivery_id, principal))


async def accept_delivery(session: AsyncSession, *, delivery_id: int, request: Acceptance, principal: Principal,
                          today: date) -> DeliveryView:
    delivery = await visible(session, delivery_id, principal, for_update=True)
    await accept(session, delivery, request, today=today)
    await session.flush()
    return await view_of(session, delivery)


async def return_accepted(session: AsyncSession, request: ReturnCreate, *, principal: Principal,
                          today: date) -> Return:
    delivery = await visible(session, request.delivery_id, principal, for_update=True)
    return await return_goods(session, delivery, request, by=principal.actor, today=today)


async def visible(session: AsyncSession, delivery_id: int, principal: Principal, *, for_update=False) -> Delivery:
    """GW-5: a delivery the caller is not party to is as missing as one that does not exist."""
    delivery = await repository.delivery_or_404(session, delivery_id=delivery_id, for_update=for_update)
    if not may_see(principal, hospital=delivery.hospital_code, companies=(delivery.distributor_code,)):
        raise not_found(f"delivery {delivery_id}")
    return delivery


async def record(session: AsyncSession, request: DeliveryCreate, *, distributor: str, by: str, today: date) -> Delivery:
    order = await repository.order_of(session, request.order_id)
    order_lines = {l.line_no: l for l in await orders_repository.lines_of_order(
        session, order_id=request.order_id, for_update=True)}
    if order is None or not any(l.distributor_code == distributor for l in order_lines.values()):
        raise Problem(404, detail=f"no order {request.order_id} routed to you")
    await refuse_revoked(session, [order_lines[l.line_no] for l in request.lines if l.line_no in order_lines],
                         distributor)
    errors = []
    seen = set()
    for line in request.lines:
        order_line = order_lines.get(line.line_no)
        field = f"body.lines[line_no={line.line_no}]"
        if line.line_no in seen:
            errors.append({"field": field, "reason": "line repeats"})
        elif order_line is None or order_line.distributor_code != distributor:
            errors.append({"field": field, "reason": "not an order line routed to you"})
        elif order_line.status != "confirmed":
            errors.append({"field": field, "reason": f"the line is {order_line.status}; confirm it before delivering"})
        elif line.quantity > order_line.quantity - order_line.delivered_quantity:
            errors.append({"field": field + ".quantity", "reason": (
                f"{line.quantity} exceeds what remains to deliver ({order_line.quantity - order_line.delivered_quantity})")})
        seen.add(line.line_no)
    if errors:
        raise Problem(422, detail="the delivery is refused; nothing was recorded", errors=errors)
    refuse_bad_date("body.delivered_on", request.delivered_on, not_before=ordered_on(order), earlier="the order of",
                    today=today)
    delivery = Delivery(order_id=order.id, hospital_code=order.hospital_code, distributor_code=distributor,
                        delivered_on=request.delivered_on, recorded_by=by)
    session.add(delivery)
    await session.flush()
    for line in request.lines:
        order_lines[line.line_no].delivered_quantity += line.quantity
        session.add(DeliveryLine(delivery_id=delivery.id, line_no=line.line_no, quantity=line.quantity,
                                 lot=line.lot, udi=line.udi, returned_quantity=0))
    await session.flush()
    outbox.add(session, DeliveryRecorded(
        delivery_id=delivery.id, order_id=order.id, hospital_code=order.hospital_code, distributor_code=distributor,
        ordered_on=ordered_on(order), delivered_on=request.delivered_on,
        lines=[DeliveredLineFacts(
            line_no=line.line_no, product_id=order_lines[line.line_no].product_id,
            batch_code=order_lines[line.line_no].batch_code, agreement_id=order_lines[line.line_no].agreement_id,
            manufacturer_code=order_lines[line.line_no].manufacturer_code, quantity=line.quantity, lot=line.lot,
            udi=line.udi, ordered_quantity=order_lines[line.line_no].quantity) for line in request.lines],
    ), key=order.hospital_code)
    return delivery


def _accepted(delivery: Delivery, order: Order, order_line: OrderLine, agreement: Agreement, *, quantity: int,
              on: date) -> DeliveryAcceptedV2:
    return DeliveryAcceptedV2(
        delivery_id=delivery.id, line_no=order_line.line_no, order_id=delivery.order_id,
        hospital_code=delivery.hospital_code, product_id=order_line.product_id, batch_code=order_line.batch_code,
        agreement_id=agreement.id, agreement_year=agreement.agreement_year,
        manufacturer_code=order_line.manufacturer_code, distributor_code=delivery.distributor_code,
        quantity=quantity, unit_price_fen=order_line.unit_price_fen, amount_fen=quantity * order_line.unit_price_fen,
        ordered_on=ordered_on(order), delivered_on=delivery.delivered_on, accepted_on=on,
    )


async def accept(session: AsyncSession, delivery: Delivery, request: Acceptance, *, today: date) -> None:
    if delivery.accepted_on is not None:
        raise Problem(409, detail=f"delivery {delivery.id} was accepted on {delivery.accepted_on}")
    refuse_bad_date("body.accepted_on", request.accepted_on, not_before=delivery.delivered_on,
                    earlier="the delivery of", today=today)
    lines = {l.line_no: l for l in await lines_of(session, delivery.id)}
    given = {l.line_no: l for l in request.lines}
    errors = []
    if set(given) != set(lines):
        errors.append({"field": "body.lines", "reason": f"give every delivered line exactly once: {sorted(lines)}"})
    for line_no, line in given.items():
        delivered = lines.get(line_no)
        if delivered is not None and line.accepted_quantity > delivered.quantity:
            errors.append({"field": f"body.lines[line_no={line_no}].accepted_quantity",
                           "reason": f"{line.accepted_quantity} exceeds the {delivered.quantity} delivered (CON-5)"})
    errors += await _held_lots(session, delivery, lines, given)
    if errors:
        raise Problem(422, detail="the acceptance is refused; nothing was recorded", errors=errors)
    delivery.accepted_on = request.accepted_on
    order = await repository.order_of(session, delivery.order_id)
    for line_no, line in sorted(given.items()):
        lines[line_no].accepted_quantity = line.accepted_quantity
        if line.accepted_quantity:
            order_line, agreement = await repository.supplied_line(session, delivery.order_id, line_no)
            outbox.add(session, _accepted(delivery, order, order_line, agreement, quantity=line.accepted_quantity,
                                          on=request.accepted_on), key=delivery.hospital_code)


async def _held_lots(session: AsyncSession, delivery: Delivery, lines: dict, given: dict) -> list[dict]:
    """CAT-14: a line of a lot held for quality is not accepted (0 may be: the goods refused)."""
    products = {l.line_no: l.product_id for l in await orders_repository.lines_of_order(
        session, order_id=delivery.order_id)}
    taken = {n: (products[n], lines[n].lot) for n, line in given.items()
             if line.accepted_quantity and n in lines and n in products}
    held = await lot_holds.held(session, taken.values())
    return [{"field": f"body.lines[line_no={n}].accepted_quantity",
             "reason": f"lot {lot} of product {product} is on hold since {held[(product, lot)].held_on} "
                       f"({held[(product, lot)].reason}); accept 0 of it or wait for its release (CAT-14)"}
            for n, (product, lot) in sorted(taken.items()) if (product, lot) in held]


async def return_goods(session: AsyncSession, delivery: Delivery, request: ReturnCreate, *, by: str,
                       today: date) -> Return:
    line = await repository.delivery_line_for_update(session, delivery_id=delivery.id, line_no=request.line_no)
    if line is None or line.accepted_quantity is None:
        raise Problem(422, detail=f"line {request.line_no} of delivery {delivery.id} was not accepted",
                      errors=[{"field": "body.line_no", "reason": "not an accepted line"}])
    returnable = line.accepted_quantity - line.returned_quantity
    if request.quantity > returnable:
        raise Problem(422, detail=f"at most {returnable} can still be returned",
                      errors=[{"field": "body.quantity", "reason": f"exceeds {returnable}"}])
    refuse_bad_date("body.returned_on", request.returned_on, not_before=delivery.accepted_on,
                    earlier="the acceptance of", today=today)
    line.returned_quantity += request.quantity
    row = Return(delivery_id=delivery.id, line_no=request.line_no, quantity=request.quantity,
                 reason=request.reason, returned_on=request.returned_on, recorded_by=by)
    session.add(row)
    await session.flush()
    order_line, agreement = await repository.supplied_line(session, delivery.order_id, request.line_no)
    outbox.add(session, DeliveryReturned(
        return_id=row.id, delivery_id=delivery.id, line_no=order_line.line_no, order_id=delivery.order_id,
        hospital_code=delivery.hospital_code, product_id=order_line.product_id, batch_code=order_line.batch_code,
        agreement_id=agreement.id, agreement_year=agreement.agreement_year,
        manufacturer_code=order_line.manufacturer_code, distributor_code=delivery.distributor_code,
        quantity=request.quantity, unit_price_fen=order_line.unit_price_fen,
        amount_fen=request.quantity * order_line.unit_price_fen, returned_on=request.returned_on,
        reason=request.reason,
    ), key=delivery.hospital_code)
    return row
