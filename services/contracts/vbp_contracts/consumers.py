"""The events contracts consumes, and with what (DESIGN §6).

Contracts decides nothing from another service's database; it keeps read models fed by
catalog's events, all of them the kit's projections (``PROJECTIONS`` in models.py,
vbpkit.projections):

- ``Registry``: ``catalog.institution.registered`` → the hospitals that agreed volumes
  (CON-1) and agreements (CON-2) may name; ``catalog.company.registered`` → which companies
  are distributors (CON-2 designation);
- ``CatalogView``: ``catalog.batch.published`` (v1 and v2) and ``catalog.product.listed`` /
  ``price_changed`` / ``status_changed`` → batches with their typed execution policy
  (CON-3 renewal, CON-4 buying below the winning price) and winning prices (CON-4 pricing);
- ``Backups``: ``catalog.backup.designated`` / ``.withdrawn`` → the backups a volume may be
  transferred to (CON-7);
- ``LotHolds``: ``catalog.lot.held`` / ``.released`` → the lots whose acceptance is refused (CAT-14);
- ``ServiceRegions``: ``catalog.distributor.regions_declared`` → where each distributor may be
  designated (CAT-15).

It has no handler of its own yet.
"""

from vbp_contracts.models import PROJECTIONS

HANDLERS: dict = {}

__all__ = ["HANDLERS", "PROJECTIONS"]
