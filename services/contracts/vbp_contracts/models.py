"""The contracts service's declarative base: its own metadata, its own database.

``PROJECTIONS`` are the read models of other services' facts it keeps (vbpkit.projections):
their tables are part of this metadata and its migrations, their handlers are switched on
in the composition root (main.py).
"""

from sqlalchemy.orm import DeclarativeBase
from vbpkit.db.engine import new_metadata
from vbpkit.projections import Backups, CatalogView, LotHolds, Registry, ServiceRegions, include_tables

PROJECTIONS = (Registry, CatalogView, Backups, LotHolds, ServiceRegions)


class Base(DeclarativeBase):
    metadata = include_tables(new_metadata(), PROJECTIONS)
