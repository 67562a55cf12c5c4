"""The monitoring service's declarative base: its own metadata, its own database.

``PROJECTIONS`` are the read models of other services' facts it keeps (vbpkit.projections):
their tables are part of this metadata and its migrations, their handlers are switched on
in the composition root (main.py).
"""

from sqlalchemy.orm import DeclarativeBase
from vbpkit.db import new_metadata
from vbpkit.projections import CatalogView, Registry, include_tables

PROJECTIONS = (Registry, CatalogView)


class Base(DeclarativeBase):
    metadata = include_tables(new_metadata(), PROJECTIONS)

# Ids are BIGINT; one amount at most 1,000,000,000,000.00 yuan: a larger one is a 422 naming
# the field, never a database overflow answered with a 500.
BIGINT_MAX = 2**63 - 1
AMOUNT_MAX_FEN = 10**14
