"""Composition root of the settlement service."""

from pathlib import Path

from fastapi import FastAPI
from vbpkit.runtime.service_app import ServiceSpec, create_service_app

from vbp_settlement.consumers import HANDLERS, PROJECTIONS
from vbp_settlement.deliveries.router import router as deliveries
from vbp_settlement.direct_settlement.router import router as direct_settlement
from vbp_settlement.fund_payables.router import router as fund_payables
from vbp_settlement.institutions.router import router as institutions
from vbp_settlement.invoices.router import router as invoices
from vbp_settlement.ledger.router import router as ledger
from vbp_settlement.payments.router import router as payments
from vbp_settlement.payments.schedule import overdue_schedule
from vbp_settlement.prepayments.router import router as prepayments
from vbp_settlement.prepayments.schedule import late_schedule
from vbp_settlement.receivables.router import router as receivables
from vbp_settlement.refunds.router import router as refunds
from vbp_settlement.refunds.schedule import refund_schedule
from vbp_settlement.settings import SettlementSettings
from vbp_settlement.statements.router import router as statements

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: SettlementSettings | None = None) -> FastAPI:
    spec = ServiceSpec(
        name="settlement",
        title="VBP settlement",
        description="Invoices, payments and receivables; insurance-fund prepayments, monthly fund payables with "
                    "offsets and refunds, direct settlement, and the ledger under all of it.",
        migrations=MIGRATIONS,
        routers=[institutions, deliveries, payments, invoices, receivables, prepayments, direct_settlement,
                 fund_payables, refunds, statements, ledger],
        projections=PROJECTIONS,
        handlers=HANDLERS,
        background=[overdue_schedule, late_schedule, refund_schedule],
    )
    return create_service_app(spec, settings or SettlementSettings())
