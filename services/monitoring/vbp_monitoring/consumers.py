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
"""

from vbp_monitoring.models import PROJECTIONS
from vbp_monitoring.purchases.handlers import HANDLERS as PURCHASE_HANDLERS
from vbp_monitoring.timeliness.handlers import HANDLERS as TIMELINESS_HANDLERS

HANDLERS = {**PURCHASE_HANDLERS, **TIMELINESS_HANDLERS}

__all__ = ["HANDLERS", "PROJECTIONS"]
