"""The events monitoring consumes, and with what (DESIGN §6).

The kit's projections it switches on (``PROJECTIONS`` in models.py, vbpkit.projections):

- ``Registry``: ``catalog.institution.registered`` and ``catalog.company.registered`` →
  institutions with level, fund (SET-3) and region, companies with roles;
- ``CatalogView``: ``catalog.batch.published`` (v1 and v2) and ``catalog.product.*`` →
  batches with their typed execution policy and cycle, products with prices and status;
- ``AcceptedLines``: ``contracts.delivery.accepted`` and ``contracts.delivery.returned`` →
  accepted lines and returns with their dates (MON-1).

Its own (``purchases.handlers``): ``contracts.agreement.effective`` → agreements with their
items (MON-1); ``catalog.product.status_changed`` → halts; ``contracts.volume.transferred`` →
transfers (CON-7: the failing item assessed to the transfer day).

``timeliness.handlers``: settlement's invoice, payment, late-tranche and offset events → the
facts MON-4 judges timeliness by.

``supply.handlers``: order lines confirmed and declined, deliveries recorded → supply lines
and the monthly supply of each item (MON-6, MON-8).

``prepayment_use.handlers``: disbursements and their reversals, and the batches each invoice
bills (MON-10). ``settlement.invoice.submitted`` feeds both MON-4 and MON-10.

``report.handlers``: each month's purchases of each item, from the accepted lines and returns
the projection has just recorded; prepayment plans, offsets per plan and refunds (MON-8);
``settlement.offset.applied`` feeds both MON-4 and MON-8.

``alerts.service``: ``catalog.pre_listing.missed`` → a ``pre_listing`` alert (CAT-12).
``lot_holds.handlers``: ``contracts.delivery.recorded`` → each delivered line's lot;
``catalog.lot.held`` → a ``lot_hold`` alert for each hospital that accepted the lot (CAT-14).
``stocking.service``: ``contracts.order.placed`` → each hospital's first order of a batch (CON-9).
``distributors.handlers``: ``catalog.distributor.regions_declared`` → a ``distributor_uncovered``
alert for each effective agreement whose hospital the distributor no longer serves (CAT-15).
``coverage.service``: ``contracts.agreed_volume.set`` → agreed volumes; ``contracts.agreement.generated``
/ ``.signed`` / ``.effective`` → agreements awaiting signatures (MON-15).
``accounts.service``: ``contracts.account.requested`` / ``.opened`` → account requests (CON-10);
the CalendarView projection: ``catalog.calendar.year_loaded`` → the working days they are counted in.
"""

from vbpkit.messaging.handlers import handler_table

from vbp_monitoring.accounts.service import HANDLERS as ACCOUNT_HANDLERS
from vbp_monitoring.alerts import service as alerts
from vbp_monitoring.coverage.service import HANDLERS as COVERAGE_HANDLERS
from vbp_monitoring.distributors.handlers import HANDLERS as DISTRIBUTOR_HANDLERS
from vbp_monitoring.lot_holds.handlers import HANDLERS as LOT_HOLD_HANDLERS
from vbp_monitoring.stocking.service import HANDLERS as STOCKING_HANDLERS
from vbp_monitoring.models import PROJECTIONS
from vbp_monitoring.prepayment_use.handlers import HANDLERS as PREPAYMENT_USE_HANDLERS
from vbp_monitoring.purchases.handlers import HANDLERS as PURCHASE_HANDLERS
from vbp_monitoring.report.handlers import HANDLERS as REPORT_HANDLERS
from vbp_monitoring.supply.handlers import HANDLERS as SUPPLY_HANDLERS
from vbp_monitoring.timeliness.handlers import HANDLERS as TIMELINESS_HANDLERS

# Where two features take one event type, each gets it, in this order (timeliness before the
# report's offsets and prepayment use's invoice batches).
HANDLERS = handler_table(PURCHASE_HANDLERS, SUPPLY_HANDLERS, TIMELINESS_HANDLERS, PREPAYMENT_USE_HANDLERS,
                         REPORT_HANDLERS, LOT_HOLD_HANDLERS, STOCKING_HANDLERS, DISTRIBUTOR_HANDLERS,
                         COVERAGE_HANDLERS, ACCOUNT_HANDLERS,
                         {"catalog.pre_listing.missed": alerts.on_pre_listing_missed})

__all__ = ["HANDLERS", "PROJECTIONS"]
