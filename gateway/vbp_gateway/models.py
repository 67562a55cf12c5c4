"""The gateway's declarative base: its own metadata, its own database (API keys, the audit trail)."""

from sqlalchemy.orm import DeclarativeBase
from vbpkit.db.engine import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()
