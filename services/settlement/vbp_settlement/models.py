"""The settlement service's declarative base: its own metadata, its own database.

``PROJECTIONS`` are the read models of other services' facts it keeps (vbpkit.projections):
their tables are part of this metadata and its migrations, their handlers are switched on
in the composition root (main.py).
"""

from sqlalchemy.orm import DeclarativeBase
from vbpkit.db.engine import new_metadata
from vbpkit.projections import CatalogView, Registry, include_tables

PROJECTIONS = (Registry, CatalogView)


class Base(DeclarativeBase):
    metadata = include_tables(new_metadata(), PROJECTIONS)

# Ids are BIGINT and counts INTEGER: a larger number in a request is a 422 naming the field,
# never a database overflow answered with a 500 (DESIGN §7, bad input).
BIGINT_MAX = 2**63 - 1
INTEGER_MAX = 2**31 - 1
# One amount of money at most 1,000,000,000,000.00 yuan: far above any real payable, and low
# enough that 10,000 of them still sum inside a BIGINT of fen (a 422, never an overflow).
AMOUNT_MAX_FEN = 10**14
