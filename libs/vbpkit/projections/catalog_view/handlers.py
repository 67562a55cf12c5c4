"""Keeps the catalog view in step with catalog's batch and product events; an event older
than the row it would replace is ignored (vbpkit.projections.read_models.upsert_latest)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.events import Envelope
from vbpkit.events.catalog import BatchPublished, BatchPublishedV2, ProductFacts
from vbpkit.messaging.handlers import batch
from vbpkit.projections.catalog_view.models import BatchView, ProductView
from vbpkit.projections.read_models import upsert_latest


@batch
async def on_batches_published(
    session: AsyncSession, events: list[tuple[BatchPublished | BatchPublishedV2, Envelope]]
) -> None:
    """Both published versions: a v1 policy dict is parsed into the typed policy here."""
    rows = []
    for event, envelope in events:
        e = BatchPublishedV2.of(event)
        rows.append(dict(code=e.code, name=e.name, kind=e.kind, starts_on=e.starts_on, ends_on=e.ends_on,
                         ended_early_on=e.ended_early_on, policy=e.policy, groups=e.groups,
                         as_of=envelope.occurred_at))
    await upsert_latest(session, BatchView, rows, key="code")


@batch
async def on_products_changed(session: AsyncSession, events: list[tuple[ProductFacts, Envelope]]) -> None:
    """Listed, price changed and status changed all carry the product's full facts."""
    rows = [
        dict(product_id=e.product_id, batch_code=e.batch_code, group_code=e.group_code,
             registration_no=e.registration_no, spec=e.spec, name=e.name,
             applicant_credit_code=e.applicant_credit_code, winning=e.winning,
             service_price_fen=e.service_price_fen, winning_price_fen=e.winning_price_fen, status=e.status,
             insurance_code=e.insurance_code, unit=e.unit, as_of=envelope.occurred_at)
        for e, envelope in events
    ]
    await upsert_latest(session, ProductView, rows, key="product_id")


HANDLERS = {
    "catalog.batch.published": on_batches_published,
    "catalog.product.listed": on_products_changed,
    "catalog.product.price_changed": on_products_changed,
    "catalog.product.status_changed": on_products_changed,
}
