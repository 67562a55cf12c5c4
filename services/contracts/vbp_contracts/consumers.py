"""The events contracts consumes, and with what (DESIGN §6).

Contracts decides nothing from another service's database; it keeps read models fed by
catalog's events:

- ``catalog.institution.registered`` → the hospital parties that agreed volumes (CON-1)
  and agreements (CON-2) may name;
- ``catalog.batch.published``, ``catalog.product.listed`` / ``price_changed`` /
  ``status_changed`` and ``catalog.company.registered`` → the catalog view: batches with
  their execution policy (CON-3 renewal, CON-4 buying below the winning price), winning
  prices (CON-4 pricing) and which companies are distributors (CON-2 designation).
"""

from vbp_contracts.catalog_view.service import HANDLERS as CATALOG_VIEW_HANDLERS
from vbp_contracts.institutions.service import on_institutions_registered

HANDLERS = {"catalog.institution.registered": on_institutions_registered, **CATALOG_VIEW_HANDLERS}
