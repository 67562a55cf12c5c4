"""CON-4 pricing and routing of order lines: what a single order and a month-end upload
(:mod:`vbp_contracts.orders.bulk`) both apply, line by line, so the two cannot drift apart.

A line is priced at the winning price of the hospital's agreement (less the service price
where it chose without-service, seed 004), refused above it and below it unless the batch's
policy allows (seeds 002/003), and routed to the distributor designated in the agreement
(CON-6: none designated, nothing sent) — or, for a hospital without an agreement where the
batch's policy accepts its orders, under its standing record to the manufacturer's default
distributor (CON-8). :class:`ProductRoutes` resolves every product of a
request in a handful of queries and counts what is on order as lines are placed, so the
agreed volume is counted once across an order or an upload (``beyond_agreed``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.domain.money import format_yuan
from vbpkit.domain.policy import ordering_year
from vbpkit.events.contracts import OrderLineFacts
from vbpkit.projections.catalog_view import BatchView, ProductView
from vbpkit.projections.catalog_view import repository as catalog_view

from vbp_contracts.agreements.models import Agreement
from vbp_contracts.default_distributors import service as default_distributors
from vbp_contracts.orders import repository
from vbp_contracts.transfers import repository as transfers
from vbp_contracts.transfers.models import VolumeTransfer


class LineRefused(Exception):
    """A line that cannot be placed, located in the order's body (``body.lines[line_no=2].unit_price``)."""

    def __init__(self, line_no: int, field: str, reason: str):
        self.field, self.reason = field, reason
        self.error = {"field": f"body.lines[line_no={line_no}].{field}", "reason": reason, "line_no": line_no}


class ProductRoute:
    """What one product resolves to for a hospital today: its agreement, its agreed unit price,
    the agreed volume and what is on order against it."""

    def __init__(self, product: ProductView, batch: BatchView, agreement: Agreement, price_fen: int,
                 agreed: int, ordered: int):
        self.product, self.batch, self.agreement, self.price_fen = product, batch, agreement, price_fen
        self.agreed, self.ordered = agreed, ordered


class ProductRoutes:
    """Per-request cache of routes, so an upload of 10,000 lines costs a few queries for all its
    products, not some per line (:meth:`prefetch`); ``ordered`` runs on as lines are placed, so
    two lines of one order (or of one upload) count together against the agreed volume (CON-4
    beyond_agreed)."""

    def __init__(self, hospital: str, today: date):
        self.hospital, self.today = hospital, today
        self.routes: dict[int, ProductRoute | LineRefused] = {}

    async def route(self, session: AsyncSession, line) -> ProductRoute:
        if line.product_id not in self.routes:
            await self.prefetch(session, {line.product_id})
        found = self.routes[line.product_id]
        if isinstance(found, LineRefused):
            raise LineRefused(line.line_no, found.field, found.reason)
        return found

    def count_placed(self, pending: dict[int, int]) -> None:
        """An order's lines are placed: what they ordered now counts against later orders."""
        for product_id, quantity in pending.items():
            self.routes[product_id].ordered += quantity

    async def prefetch(self, session: AsyncSession, product_ids: set[int]) -> None:
        """Resolve every product in one pass: products, batches, the hospital's effective
        agreements, agreed and ordered quantities, each in one query. A product that cannot be
        ordered is kept as the refusal each of its lines will get."""
        wanted = {p for p in product_ids if p not in self.routes}
        products = await catalog_view.products_by_id(session, wanted)
        batches = await catalog_view.batches_by_code(session, {p.batch_code for p in products.values()})
        moved = await transfers.hospital_transfers(session, hospital_code=self.hospital, product_ids=wanted)
        resolved: dict[int, tuple[ProductView, BatchView, int]] = {}
        for product_id in wanted:
            product = products.get(product_id)
            batch = batches.get(product.batch_code) if product else None
            year = ordering_year(batch.cycle, self.today, batch.policy.stocking_days_before_start).value \
                if batch else None
            away = next((t for t in moved if t.failing_product_id == product_id and t.agreement_year == year
                         and t.transfer_on <= self.today), None)
            if product is None:
                self.routes[product_id] = LineRefused(0, "product_id", f"unknown product {product_id}")
            elif away is not None:
                self.routes[product_id] = transferred(away, products.get(away.backup_product_id)
                                                      or await catalog_view.product(session, away.backup_product_id))
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
        emergency = await self._emergency_agreements(session, moved, resolved)
        routable = {}
        for product_id, (product, batch, year) in resolved.items():
            agreement = emergency.get(product_id) or agreements.get((batch.code, year, product.applicant_credit_code))
            if agreement is None and product.winning and product.applicant_credit_code \
                    and batch.policy.orders_without_agreement == "winning_price":
                agreement = await default_distributors.standing_route(
                    session, hospital_code=self.hospital, batch_code=batch.code, year=year,
                    manufacturer_code=product.applicant_credit_code)
                if isinstance(agreement, str):  # CON-8: no default distributor named for the region
                    self.routes[product_id] = LineRefused(0, "product_id", agreement)
                    continue
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
            self.routes[product_id] = ProductRoute(product, batch, agreement, price,
                                                   agreed.get((agreement.id, product_id), 0),
                                                   ordered.get((agreement.id, product_id), 0))


    @staticmethod
    async def _emergency_agreements(session: AsyncSession, moved: list[VolumeTransfer],
                                    resolved: dict[int, tuple]) -> dict[int, Agreement]:
        """CON-7 emergency: a backup's orders go through the new agreement version that carries
        the moved volume while it is still being signed (then through it as effective)."""
        wanted = {t.backup_product_id: t for t in moved if t.emergency and t.backup_product_id in resolved
                  and t.agreement_year == resolved[t.backup_product_id][2]}
        if not wanted:  # the common case: no query
            return {}
        found = await transfers.agreements_by_id(session, {t.backup_agreement_id for t in wanted.values()})
        return {product_id: found[t.backup_agreement_id] for product_id, t in wanted.items()
                if found[t.backup_agreement_id].status in ("draft", "signing")}


def transferred(away: VolumeTransfer, backup: ProductView | None) -> LineRefused:
    """CON-7: the failing product's volume moved to the backup; an order for it is refused naming
    the backup and its price — not re-routed, as spec and price may differ."""
    name = f"{backup.name} {backup.spec}" if backup else "the backup"
    return LineRefused(0, "product_id", f"product {away.failing_product_id}'s volume was transferred on "
                       f"{away.transfer_on} (transfer {away.id}) "
                       f"to backup product {away.backup_product_id} ({name}) at {format_yuan(away.unit_price_fen)}: "
                       "order the backup (CON-7)")


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


async def priced_line(session: AsyncSession, routes: ProductRoutes, line, pending: dict[int, int]) -> OrderLineFacts:
    """The line priced and routed, as the facts its order's event carries — built without validating
    again what was validated on its way in (a month-end upload prices 10,000 of them). ``pending``
    is what the order's earlier lines ordered of each product; this line's quantity joins it."""
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
