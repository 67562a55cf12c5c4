"""CON-4 month-end upload, set-based (issue 13, item 1): up to 10,000 order lines in one call,
every rule of a single order applied, each order standing or falling alone.

One order at a time cost a savepoint, a lookup, ORM objects and an outbox row each (about 6 ms an
order). Here the whole upload is decided in memory first: the HIS numbers already placed are read
in one query, every product's route (status, batch in force, the hospital's effective agreement,
its designated distributor, agreed and ordered quantities) in a handful
(:meth:`~vbp_contracts.orders.pricing.ProductRoutes.prefetch`), then each order is priced and routed
by :mod:`~vbp_contracts.orders.pricing` as a single order is, with ``ordered`` running on across
the upload. The orders, their lines and their ``contracts.order.placed`` events then go in by
binary COPY, in the request's one transaction. An advisory lock per hospital keeps two uploads
of one hospital from counting what is on order at the same time.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.messaging import outbox
from vbpkit.runtime.clock import SHANGHAI
from vbpkit.events.contracts import OrderLineFacts, OrderPlaced
from vbpkit.web.problems import Problem, error_location, plain_reason

from vbp_contracts.orders import repository
from vbp_contracts.orders.pricing import LineRefused, ProductRoutes, priced_line
from vbp_contracts.orders.schemas import OrderCreate

MAX_LINES = 10_000


async def place_bulk(session: AsyncSession, *, hospital: str, orders: list[dict], by: str, today: date,
                     placed_at: datetime | None = None) -> dict:
    """Each order is placed, found already placed (the same HIS number and content: a no-op), or
    refused: an error names the order by its number in the upload from 1 (``row``, the bulk
    convention of ``vbpkit.web.bulk_rows``), its HIS number and the field within it
    (``lines[line_no=2].unit_price``)."""
    total_lines = sum(len(o.get("lines", [])) if isinstance(o, dict) and isinstance(o.get("lines"), list) else 0
                      for o in orders)
    if total_lines > MAX_LINES:
        raise Problem(422, detail=f"{total_lines} lines; at most 10,000 per upload",
                      errors=[{"field": "body.orders", "reason": "more than 10,000 lines"}])
    errors: list[dict] = []
    parsed: list[tuple[int, OrderCreate]] = []
    for index, raw in enumerate(orders, start=1):
        try:
            parsed.append((index, OrderCreate.model_validate(raw)))
        except ValidationError as exc:
            number = raw.get("his_order_no") if isinstance(raw, dict) else None
            errors += [{"row": index, "his_order_no": number if isinstance(number, str) else None,
                        "field": error_location(e) or "row", "reason": plain_reason(e["msg"])} for e in exc.errors()]
    await repository.lock_hospital_orders(session, hospital_code=hospital)
    placed = {number: order.request_sha256 for number, order in (await repository.orders_by_his_numbers(
        session, hospital_code=hospital, numbers={request.his_order_no for _, request in parsed})).items()}
    routes = ProductRoutes(hospital, today)
    await routes.prefetch(session, {line.product_id for number, request in parsed if request.his_order_no not in placed
                                    for line in request.lines})
    existing = 0
    new_orders: list[tuple[OrderCreate, str]] = []
    new_lines: list = []
    for index, request in parsed:
        fingerprint = request.fingerprint()
        if request.his_order_no in placed:
            if placed[request.his_order_no] != fingerprint:
                errors.append({"row": index, "his_order_no": request.his_order_no, "field": "his_order_no",
                               "reason": "already used with another content"})
            else:
                existing += 1
            continue
        lines, pending, refused = [], {}, []
        for line in request.lines:
            try:
                lines.append(await priced_line(session, routes, line, pending))
            except LineRefused as why:
                refused.append(why.error)
        if refused:
            errors += [{"row": index, "his_order_no": request.his_order_no, **e,
                        "field": e["field"].removeprefix("body.")} for e in refused]
            continue
        routes.count_placed(pending)
        placed[request.his_order_no] = fingerprint
        new_lines += [(len(new_orders), line) for line in lines]
        new_orders.append((request, fingerprint))
    if new_orders:
        await _write(session, hospital=hospital, by=by, placed_at=placed_at or datetime.now(timezone.utc),
                     orders=new_orders, lines=new_lines)
    return {"received_orders": len(orders), "received_lines": total_lines, "created": len(new_orders),
            "existing": existing, "errors": errors}


async def _write(session: AsyncSession, *, hospital: str, by: str, placed_at: datetime,
                 orders: list[tuple[OrderCreate, str]], lines: list) -> None:
    at = placed_at.astimezone(timezone.utc)
    ids = await repository.insert_orders(
        session, orders=[(hospital, request.his_order_no, fingerprint, by, at) for request, fingerprint in orders],
        lines=[(n, l.line_no, l.product_id, l.batch_code, l.agreement_id, l.manufacturer_code, l.distributor_code,
                l.quantity, l.unit_price_fen, l.beyond_agreed) for n, l in lines])
    facts: list[list[OrderLineFacts]] = [[] for _ in orders]
    for n, line in lines:
        facts[n].append(line)
    await outbox.add_many(session, [
        (OrderPlaced(order_id=order_id, hospital_code=hospital, his_order_no=request.his_order_no, lines=facts[n],
                     ordered_on=placed_at.astimezone(SHANGHAI).date()),
         hospital) for n, (order_id, (request, _)) in enumerate(zip(ids, orders))])
