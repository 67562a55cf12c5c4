"""Composition root of the catalog service."""

from pathlib import Path

from fastapi import FastAPI

from vbp_catalog.institutions.router import router as institutions
from vbp_catalog.settings import CatalogSettings
from vbpkit.service_app import ServiceSpec, create_service_app

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: CatalogSettings | None = None) -> FastAPI:
    spec = ServiceSpec(
        name="catalog",
        title="VBP catalog",
        description="Batches, execution policies, winning products, listings and the registry.",
        migrations=MIGRATIONS,
        routers=[institutions],
    )
    return create_service_app(spec, settings or CatalogSettings())
