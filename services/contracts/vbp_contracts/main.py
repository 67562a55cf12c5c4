"""Composition root of the contracts service."""

from pathlib import Path

from fastapi import FastAPI
from vbpkit.runtime.service_app import ServiceSpec, create_service_app

from vbp_contracts.accounts.router import router as accounts
from vbp_contracts.agreements.router import router as agreements
from vbp_contracts.consumers import HANDLERS, PROJECTIONS
from vbp_contracts.default_distributors.router import router as default_distributors
from vbp_contracts.deliveries.router import router as deliveries
from vbp_contracts.institutions.router import router as institutions
from vbp_contracts.orders.router import router as orders
from vbp_contracts.settings import ContractsSettings
from vbp_contracts.transfers.router import router as transfers
from vbp_contracts.volumes.router import router as volumes

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: ContractsSettings | None = None) -> FastAPI:
    spec = ServiceSpec(
        name="contracts",
        title="VBP contracts",
        description="Agreed volumes, three-party agreements, orders, deliveries, acceptance and returns.",
        migrations=MIGRATIONS,
        routers=[volumes, agreements, orders, deliveries, transfers, default_distributors, accounts,
                 institutions],
        projections=PROJECTIONS,
        handlers=HANDLERS,
    )
    return create_service_app(spec, settings or ContractsSettings())
