"""CON-4 orders from a HIS: priced at the winning price, routed to the designated
distributor, confirmed or declined line by line, idempotent on the HIS order number."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.messaging import outbox
from vbpkit.runtime.clock import SHANGHAI
from vbpkit.events.contracts import (
    OrderLineConfirmed,
    OrderLineDeclined,
    OrderLineFacts,
    OrderPlaced,
    SupplyLineFacts,
)
from vbpkit.web.identity import Principal, Role
from vbpkit.domain.money import format_yuan
from vbpkit.web.pagination import cut
from vbpkit.domain.policy import agreement_year_of
from vbpkit.web.problems import Problem
from vbpkit.projections.catalog_view import BatchView, ProductView
from vbpkit.projections.catalog_view import repository as catalog_view

from vbp_contracts.agreements.models import Agreement
from vbp_contracts.orders import repository
from vbp_contracts.orders.models import Order, OrderLine
from vbp_contracts.orders.schemas import OrderCreate
from vbp_contracts.parties import OVERSEERS, company_code, may_see, not_found


class LineRefused(Exception):
    def __init__(self, line_no: int, field: str, reason: str):
        self.field, self.reason = field, reason
        self.error = {"field": f"body.lines[line_no={line_no}].{field}", "reason": reason, "line_no": line_no}


def _fingerprint(request: OrderCreate) -> str:
    return hashlib.sha256(request.model_dump_json().encode()).hexdigest()


class _Route:
    """What one product resolves to for a hospital today: its agreement and what is on order."""

    def __init__(self, product: ProductView, batch: BatchView, agreement: Agreement, price_fen: int,
                 agreed: int, ordered: int):
        self.product, self.batch, self.agreement, self.price_fen = product, batch, agreement, price_fen
        self.agreed, self.ordered = agreed, ordered


class _Routes:
    """Per-request cache of routes, so an upload of 10,000 lines costs a few queries for all its
    products, not some per line (:meth:`prefetch`); ``ordered`` runs on as lines are placed, so
    two lines of one order (or of one upload) count together against the agreed volume (CON-4
    beyond_agreed)."""

    def __init__(self, hospital: str, today: date):
        self.hospital, self.today = hospital, today
        self.routes: dict[int, _Route | LineRefused] = {}

    async def route(self, session: AsyncSession, line) -> _Route:
        if line.product_id not in self.routes:
            await self.prefetch(session, {line.product_id})
        found = self.routes[line.product_id]
        if isinstance(found, LineRefused):
            raise LineRefused(line.line_no, found.field, found.reason)
        return found

    async def prefetch(self, session: AsyncSession, product_ids: set[int]) -> None:
        """Resolve every product in one pass: products, batches, the hospital's effective
        agreements, agreed and ordered quantities, each in one query. A product that cannot be
        ordered is kept as the refusal each of its lines will get."""
        wanted = {p for p in product_ids if p not in self.routes}
        products = await catalog_view.products_by_id(session, wanted)
        batches = await catalog_view.batches_by_code(session, {p.batch_code for p in products.values()})
        resolved: dict[int, tuple[ProductView, BatchView, int]] = {}
        for product_id in wanted:
            product = products.get(product_id)
            batch = batches.get(product.batch_code) if product else None
            year = agreement_year_of(batch.cycle, self.today).value if batch else None
            if product is None:
                self.routes[product_id] = LineRefused(0, "product_id", f"unknown product {product_id}")
            elif product.status != "listed":
                self.routes[product_id] = LineRefused(0, "product_id", f"product {product_id} is {product.status}; "
                                                      "it cannot be ordered (CON-4)")
            elif year is None:
                self.routes[product_id] = LineRefused(0, "product_id",
                                                      f"batch {product.batch_code} is not in force on {self.today}")
            else:
                resolved[product_id] = (product, batch, year)
        agreements = await repository.effective_agreements(session, hospital_code=self.hospital, keys={
            (batch.code, year, product.applicant_credit_code) for product, batch, year in resolved.values()})
        routable = {}
        for product_id, (product, batch, year) in resolved.items():
            agreement = agreements.get((batch.code, year, product.applicant_credit_code))
            try:
                designated_distributor(agreement, line_no=0, year=year, batch_code=batch.code,
                                       manufacturer_code=product.applicant_credit_code)
            except LineRefused as refused:
                self.routes[product_id] = refused
            else:
                routable[product_id] = (product, batch, agreement)
        pairs = {(agreement.id, product_id) for product_id, (_, _, agreement) in routable.items()}
        agreed = await repository.agreed_quantities(session, pairs=pairs)
        ordered = await repository.ordered_quantities(session, pairs=pairs)
        for product_id, (product, batch, agreement) in routable.items():
            price = agreed_unit_price(product.winning_price_fen, product.service_price_fen,
                                      with_service=agreement.with_service)
            self.routes[product_id] = _Route(product, batch, agreement, price, agreed.get((agreement.id, product_id), 0),
                                             ordered.get((agreement.id, product_id), 0))


def designated_distributor(agreement: Agreement | None, *, line_no: int, year: int, batch_code: str,
                           manufacturer_code: str | None) -> str:
    """CON-4 routing: a line goes to the distributor designated in the hospital's effective
    agreement with the product's manufacturer; with no such agreement, or none designated
    (revoked, CON-6, and not yet replaced), the line is refused rather than sent anywhere."""
    if agreement is None:
        raise LineRefused(line_no, "product_id",
                          f"no effective agreement for year {year} of {batch_code} with {manufacturer_code}")
    if agreement.distributor_code is None:
        raise LineRefused(line_no, "product_id",
                          f"agreement {agreement.id} has no designated distributor (revoked; CON-6)")
    return agreement.distributor_code


def agreed_unit_price(winning_price_fen: int, service_price_fen: int, *, with_service: bool) -> int:
    """Seed 004: the winning price includes the service price; a hospital that chose the
    without-service option pays the winning price less it."""
    return winning_price_fen - (0 if with_service else service_price_fen)


def refuse_price(unit_price_fen: int, *, line_no: int, winning_price_fen: int, below_allowed: bool,
                 batch_code: str) -> None:
    """CON-4 pricing (seeds 002/003): an order is at the winning price — never above it, since
    there is no re-negotiation, and below it only where the batch's policy sets
    ``buy_below_winning_price``."""
    if unit_price_fen > winning_price_fen:
        raise LineRefused(line_no, "unit_price",
                          f"{format_yuan(unit_price_fen)} is above the winning price {format_yuan(winning_price_fen)}; "
                          "no re-negotiation (CON-4, seeds 002/003)")
    if unit_price_fen < winning_price_fen and not below_allowed:
        raise LineRefused(line_no, "unit_price",
                          f"{format_yuan(unit_price_fen)} differs from the winning price {format_yuan(winning_price_fen)}; "
                          f"batch {batch_code} does not allow buying below it (CON-4)")


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
                routes: _Routes | None = None, placed_at: datetime | None = None) -> tuple[Order, bool]:
    """Returns the order and whether it is new. The same HIS order again returns the first,
    also when both are sent at once: the hospital's lock, the one the month-end upload takes,
    comes before the lookup (issue 21). ``placed_at`` comes from the service's clock, so the
    order date every later date is checked against (CON-5) is the one the clock says, not the
    database server's."""
    await repository.lock_hospital_orders(session, hospital_code=hospital)
    existing = await repository.order_by_his_number(session, hospital_code=hospital,
                                                    his_order_no=request.his_order_no)
    if existing is not None:
        if existing.request_sha256 != _fingerprint(request):
            raise Problem(409, "order-number-reused",
                          detail=f"HIS order {request.his_order_no} was placed before with other lines",
                          errors=[{"field": "body.his_order_no", "reason": "already used with another content"}])
        return existing, False
    routes = routes or _Routes(hospital, today)
    errors, lines, pending = [], [], {}
    for line in request.lines:
        try:
            lines.append(await _price_and_route(session, routes, line, pending))
        except LineRefused as refused:
            errors.append(refused.error)
    if errors:
        raise Problem(422, "order-refused", "Order refused",
                      f"{len(errors)} line(s) refused; nothing was placed: " + "; ".join(e["reason"] for e in errors[:3]),
                      errors=errors)
    for product_id, quantity in pending.items():
        routes.routes[product_id].ordered += quantity
    order = Order(hospital_code=hospital, his_order_no=request.his_order_no, request_sha256=_fingerprint(request),
                  placed_by=by, **({"placed_at": placed_at.astimezone(timezone.utc)} if placed_at else {}))
    session.add(order)
    await session.flush()
    session.add_all([OrderLine(order_id=order.id, status="pending", delivered_quantity=0, **line.model_dump())
                     for line in lines])
    await session.flush()
    outbox.add(session, OrderPlaced(
        order_id=order.id, hospital_code=hospital, his_order_no=order.his_order_no,
        lines=lines), key=hospital)
    return order, True


async def _price_and_route(session: AsyncSession, routes: _Routes, line, pending: dict[int, int]) -> OrderLineFacts:
    """The line priced and routed, as the facts its order's event carries — built without validating
    again what was validated on its way in (a month-end upload prices 10,000 of them)."""
    route = await routes.route(session, line)
    price, batch, agreement = route.price_fen, route.batch, route.agreement
    refuse_price(line.unit_price, line_no=line.line_no, winning_price_fen=price,
                 below_allowed=bool(batch.policy.buy_below_winning_price), batch_code=batch.code)
    # earlier lines of this order count before this one (they are not in the table yet)
    ordered = route.ordered + pending.get(route.product.product_id, 0)
    pending[route.product.product_id] = pending.get(route.product.product_id, 0) + line.quantity
    return OrderLineFacts.model_construct(
        line_no=line.line_no, product_id=route.product.product_id, batch_code=batch.code, agreement_id=agreement.id,
        manufacturer_code=agreement.manufacturer_code, distributor_code=agreement.distributor_code,
        quantity=line.quantity, unit_price_fen=line.unit_price,
        # supply continues past the agreed volume at the winning price until the cycle ends (CON-4)
        beyond_agreed=ordered + line.quantity > route.agreed,
    )


async def place_bulk(session: AsyncSession, *, hospital: str, orders: list[dict], by: str, today: date,
                     placed_at: datetime | None = None) -> dict:
    """Month-end upload (CON-4), set-based: see :mod:`vbp_contracts.orders.bulk`."""
    from vbp_contracts.orders import bulk

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


async def page(session: AsyncSession, principal: Principal, *, after: int | None,
               limit: int) -> tuple[list[OrderView], int | None]:
    rows, next_cursor = cut(await listing(session, principal, after=after, limit=limit + 1), limit,
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


async def listing(session: AsyncSession, principal: Principal, *, after: int | None, limit: int) -> list[Order]:
    """A hospital lists its own orders, a company those it distributes or manufactures a line of."""
    if principal.role in (Role.HOSPITAL, Role.COMPANY) and principal.tenant is None:
        return []
    if principal.role is Role.HOSPITAL:
        return await repository.orders_page(session, hospital_code=principal.tenant, after=after, limit=limit)
    if principal.role is Role.COMPANY:
        return await repository.orders_page(session, company_code=principal.tenant, after=after, limit=limit)
    if principal.role in OVERSEERS:
        return await repository.orders_page(session, after=after, limit=limit)
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
