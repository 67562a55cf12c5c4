"""The events monitoring consumes, and with what (DESIGN §6).

None of its own yet: everything it consumes today feeds the kit's projections it
switches on (``PROJECTIONS`` in models.py, vbpkit.projections):

- ``Registry``: ``catalog.institution.registered`` and ``catalog.company.registered`` →
  institutions with level, fund (SET-3) and region, companies with roles;
- ``CatalogView``: ``catalog.batch.published`` (v1 and v2) and ``catalog.product.*`` →
  batches with their typed execution policy and cycle, products with prices and status.
"""

from vbp_monitoring.models import PROJECTIONS

HANDLERS: dict = {}

__all__ = ["HANDLERS", "PROJECTIONS"]
