"""The events settlement consumes, and with what (DESIGN §6).

The kit's projections it switches on (``PROJECTIONS`` in models.py, vbpkit.projections):

- ``Registry``: ``catalog.institution.registered`` and ``catalog.company.registered`` →
  institutions with level, fund (SET-3) and region, companies with roles;
- ``CatalogView``: ``catalog.batch.published`` (v1 and v2) and ``catalog.product.*`` →
  batches with their typed execution policy (SET-1 due dates) and cycle, products;
- ``AcceptedLines``: ``contracts.delivery.accepted`` (v2, and v1 whose negative quantity is a
  return) and ``contracts.delivery.returned`` → the accepted delivery lines and their dated
  returns that SET-1 invoices bill and SET-4's progressive offsets count.

Its own (``deliveries.handlers``): ``contracts.delivery.accepted`` → who invoices each accepted
line (SET-1), after the projection recorded it.

``prepayments.handlers``: ``contracts.agreement.effective`` → the hospital's SET-3 prepayment
plan for the batch, created or grown.
"""

from vbpkit.messaging.handlers import handler_table

from vbp_settlement.deliveries.handlers import HANDLERS as DELIVERY_HANDLERS
from vbp_settlement.models import PROJECTIONS
from vbp_settlement.prepayments.handlers import HANDLERS as PREPAYMENT_HANDLERS

HANDLERS = handler_table(DELIVERY_HANDLERS, PREPAYMENT_HANDLERS)

__all__ = ["HANDLERS", "PROJECTIONS"]
