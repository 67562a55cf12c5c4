"""The events monitoring consumes, and with what (DESIGN §6).

The kit's projections it switches on (``PROJECTIONS`` in models.py, vbpkit.projections):

- ``Registry``: ``catalog.institution.registered`` and ``catalog.company.registered`` →
  institutions with level, fund (SET-3) and region, companies with roles;
- ``CatalogView``: ``catalog.batch.published`` (v1 and v2) and ``catalog.product.*`` →
  batches with their typed execution policy and cycle, products with prices and status.

Its own (``purchases.handlers``): ``contracts.agreement.effective``,
``contracts.delivery.accepted`` and ``contracts.delivery.returned`` → agreements with their
items, accepted lines and returns with their dates (MON-1).

``timeliness.handlers``: settlement's invoice, payment, late-tranche and offset events → the
facts MON-4 judges timeliness by.

``supply.handlers``: order lines confirmed and declined, deliveries recorded → supply lines
and the monthly supply of each item (MON-6, MON-8).

``prepayment_use.handlers``: disbursements and their reversals, and the batches each invoice
bills (MON-10). ``settlement.invoice.submitted`` feeds both MON-4 and MON-10.

``report.handlers``: prepayment plans, offsets per plan and refunds (MON-8);
``settlement.offset.applied`` feeds both MON-4 and MON-8.

``alerts.service``: ``catalog.pre_listing.missed`` → a ``pre_listing`` alert (CAT-12).
"""

from vbp_monitoring.alerts import service as alerts
from vbp_monitoring.models import PROJECTIONS
from vbp_monitoring.prepayment_use.handlers import HANDLERS as PREPAYMENT_USE_HANDLERS
from vbp_monitoring.prepayment_use.handlers import on_invoice_submitted
from vbp_monitoring.purchases.handlers import HANDLERS as PURCHASE_HANDLERS
from vbp_monitoring.report import handlers as report
from vbp_monitoring.supply.handlers import HANDLERS as SUPPLY_HANDLERS
from vbp_monitoring.timeliness.handlers import HANDLERS as TIMELINESS_HANDLERS
from vbp_monitoring.timeliness.handlers import on_invoice, on_offset_applied


async def on_invoice_submitted_everywhere(session, event, envelope) -> None:
    await on_invoice(session, event, envelope)
    await on_invoice_submitted(session, event, envelope)


async def on_offset_applied_everywhere(session, event, envelope) -> None:
    await on_offset_applied(session, event, envelope)
    await report.on_offset_applied(session, event, envelope)


HANDLERS = {**PURCHASE_HANDLERS, **SUPPLY_HANDLERS, **TIMELINESS_HANDLERS, **PREPAYMENT_USE_HANDLERS,
            **report.HANDLERS, "settlement.invoice.submitted": on_invoice_submitted_everywhere,
            "settlement.offset.applied": on_offset_applied_everywhere,
            "catalog.pre_listing.missed": alerts.on_pre_listing_missed}

__all__ = ["HANDLERS", "PROJECTIONS"]
