"""Composition root of the monitoring service."""

from pathlib import Path

from fastapi import FastAPI
from vbpkit.runtime.service_app import ServiceSpec, create_service_app

from vbp_monitoring.alerts.router import router as alerts
from vbp_monitoring.alerts.schedule import alert_schedule
from vbp_monitoring.assessment.router import router as assessment
from vbp_monitoring.consumers import HANDLERS, PROJECTIONS
from vbp_monitoring.coverage.router import router as coverage
from vbp_monitoring.models import READ_MODELS
from vbp_monitoring.credit.router import router as credit
from vbp_monitoring.his.router import router as his
from vbp_monitoring.institutions.router import router as institutions
from vbp_monitoring.obstructions.router import router as obstructions
from vbp_monitoring.prepayment_use.router import router as prepayment_use
from vbp_monitoring.progress.router import router as progress
from vbp_monitoring.report.router import router as report
from vbp_monitoring.savings.router import router as savings
from vbp_monitoring.substitutes.router import router as substitutes
from vbp_monitoring.supply.router import router as supply
from vbp_monitoring.supply_reports.router import router as supply_reports
from vbp_monitoring.timeliness.router import router as timeliness
from vbp_monitoring.settings import MonitoringSettings
from vbp_monitoring.shortages.router import router as shortages

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: MonitoringSettings | None = None) -> FastAPI:
    spec = ServiceSpec(
        name="monitoring",
        title="VBP monitoring",
        description="Progress, alerts, company ratings, annual assessments and monthly reports.",
        migrations=MIGRATIONS,
        routers=[institutions, progress, alerts, savings, substitutes, timeliness, prepayment_use,
                 supply, credit, report, assessment, his, supply_reports, shortages, obstructions, coverage],
        projections=PROJECTIONS,
        handlers=HANDLERS,
        background=[alert_schedule],
        read_models=READ_MODELS,
    )
    return create_service_app(spec, settings or MonitoringSettings())
