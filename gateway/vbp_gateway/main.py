"""Composition root of the gateway."""

from pathlib import Path

from fastapi import FastAPI

from vbp_gateway.audit.router import router as audit_log
from vbp_gateway.audit.service import housekeeping as audit_retention
from vbp_gateway.docs.router import router as documents
from vbp_gateway.gateway_app import GatewaySpec, create_gateway_app
from vbp_gateway.health.router import router as health
from vbp_gateway.keys.router import router as keys
from vbp_gateway.settings import GatewaySettings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    spec = GatewaySpec(
        title="VBP execution platform",
        description="Volume-based procurement execution: catalog, contracts, settlement and monitoring. "
        "Authenticate with an API key in `X-API-Key` (or `Authorization: Bearer`).",
        migrations=MIGRATIONS,
        routers=[keys, audit_log, health, documents],
        background=[audit_retention],
    )
    return create_gateway_app(spec, settings or GatewaySettings())
