"""Projections of catalog events into the contracts service's catalog view."""

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events import Envelope
from vbpkit.events.catalog import BatchPublished, CompanyRegistered, ProductFacts
from vbpkit.inbox import batch
from vbpkit.read_models import upsert_latest

from vbp_contracts.catalog_view.models import BatchView, CompanyView, ProductView


@batch
async def on_batches_published(session: AsyncSession, events: list[tuple[BatchPublished, Envelope]]) -> None:
    rows = [
        dict(code=e.code, name=e.name, kind=e.kind, starts_on=e.starts_on, ends_on=e.ends_on,
             ended_early_on=e.ended_early_on, policy=e.policy, as_of=envelope.occurred_at)
        for e, envelope in events
    ]
    await upsert_latest(session, BatchView, rows, key="code")


@batch
async def on_products_changed(session: AsyncSession, events: list[tuple[ProductFacts, Envelope]]) -> None:
    """Listed, price changed and status changed all carry the product's full facts."""
    rows = [
        dict(product_id=e.product_id, batch_code=e.batch_code, group_code=e.group_code,
             registration_no=e.registration_no, spec=e.spec, name=e.name,
             applicant_credit_code=e.applicant_credit_code, winning=e.winning,
             service_price_fen=e.service_price_fen, winning_price_fen=e.winning_price_fen, status=e.status,
             as_of=envelope.occurred_at)
        for e, envelope in events
    ]
    await upsert_latest(session, ProductView, rows, key="product_id")


@batch
async def on_companies_registered(session: AsyncSession, events: list[tuple[CompanyRegistered, Envelope]]) -> None:
    rows = [dict(credit_code=e.credit_code, name=e.name, roles=list(e.roles), as_of=envelope.occurred_at)
            for e, envelope in events]
    await upsert_latest(session, CompanyView, rows, key="credit_code")


HANDLERS = {
    "catalog.batch.published": on_batches_published,
    "catalog.product.listed": on_products_changed,
    "catalog.product.price_changed": on_products_changed,
    "catalog.product.status_changed": on_products_changed,
    "catalog.company.registered": on_companies_registered,
}
