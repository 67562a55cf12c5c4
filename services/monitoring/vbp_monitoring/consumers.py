"""The events monitoring consumes, and with what (DESIGN §6).

- ``catalog.institution.registered`` → monitoring's own view of the registry, so that it
  names and checks institutions without reading catalog's database.
"""

from vbp_monitoring.institutions.service import on_institutions_registered

HANDLERS = {"catalog.institution.registered": on_institutions_registered}
