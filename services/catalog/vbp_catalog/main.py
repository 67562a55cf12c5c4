"""Composition root of the catalog service."""

from pathlib import Path

from fastapi import FastAPI
from vbpkit.runtime.service_app import ServiceSpec, create_service_app

from vbp_catalog.backups.router import router as backups
from vbp_catalog.lot_holds.router import router as lot_holds
from vbp_catalog.batches.router import router as batches
from vbp_catalog.calendar.router import router as calendar
from vbp_catalog.companies.router import router as companies
from vbp_catalog.service_regions.router import router as service_regions
from vbp_catalog.consumers import HANDLERS
from vbp_catalog.institutions.router import router as institutions
from vbp_catalog.lower_prices.router import router as lower_prices
from vbp_catalog.lower_prices.schedule import lower_price_schedule
from vbp_catalog.national_prices.router import router as national_prices
from vbp_catalog.payment_standards.router import router as payment_standards
from vbp_catalog.pre_listing.router import router as pre_listing
from vbp_catalog.pre_listing.schedule import pre_listing_schedule
from vbp_catalog.products.router import router as products
from vbp_catalog.settings import CatalogSettings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: CatalogSettings | None = None) -> FastAPI:
    spec = ServiceSpec(
        name="catalog",
        title="VBP catalog",
        description="Batches, execution policies, winning products, listings, price governance and the registry.",
        migrations=MIGRATIONS,
        routers=[batches, products, lower_prices, institutions, companies, service_regions, calendar,
                 payment_standards, pre_listing, national_prices, backups, lot_holds],
        handlers=HANDLERS,
        background=[lower_price_schedule, pre_listing_schedule],
    )
    return create_service_app(spec, settings or CatalogSettings())
