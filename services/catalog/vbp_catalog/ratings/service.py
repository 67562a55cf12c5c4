"""MON-6 → CAT-12: what a company's rating does to its listings (issue 10, item 5).

Catalog consumes ``monitoring.rating.changed``. Where a batch's policy sets
``rating_suspends_listings`` (the Chongqing presets: seeds 000/002/003 根据严重程度进行评级和处置),
a 严重 or 特别严重 rating suspends the company's listed products in the batches of the breaches
that rate it so — in every such batch of the company when those breaches name none — and a
later better rating lists again what the rating suspended. Only those: a product suspended
by the exchange or the insurer for another reason stays as they left it. Every change is a
status change with its history (the rating, the day, the breaches) and its event.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events import Envelope
from vbpkit.events.monitoring import RatingChanged

from vbp_catalog.products.service import change_status
from vbp_catalog.ratings import repository

SERIOUS = ("严重", "特别严重")
BY = "system:MON-6"


async def on_rating_changed(session: AsyncSession, event: RatingChanged, envelope: Envelope) -> None:
    products = await repository.products_of(session, company_code=event.company_code,
                                            statuses=("listed", "suspended"))
    batches = await repository.batches(session, {p.batch_code for p in products})
    by = await repository.last_status_change_by(session, [p.id for p in products if p.status == "suspended"])
    serious = event.rating in SERIOUS
    rating = event.rating or "none"
    for product in products:
        batch = batches[product.batch_code]
        covered = serious and batch.policy.rating_suspends_listings and (
            not event.batch_codes or product.batch_code in event.batch_codes)
        if covered and product.status == "listed":
            change_status(session, product, status="suspended", effective_on=event.changed_on, by=BY, reason=(
                f"MON-6 rating {rating} of company {event.company_code} on {event.changed_on} "
                f"(breaches {', '.join(map(str, event.breach_ids))}): {event.reason}; "
                f"batch {product.batch_code} suspends listings on a 严重/特别严重 rating"))
        elif not covered and product.status == "suspended" and by.get(product.id) == BY:
            change_status(session, product, status="listed", effective_on=event.changed_on, by=BY, reason=(
                f"MON-6 rating of company {event.company_code} is {rating} on {event.changed_on} "
                f"(was {event.previous_rating or 'none'}): the suspension for its rating ends"))
