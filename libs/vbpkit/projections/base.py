"""A projection: a read model of another service's facts, declared once in the kit.

Contracts, settlement and monitoring each keep what they need of the catalog's registry and
batches in their own database (DESIGN §2: no service asks another on a request path). The
tables, the event handlers that fill them and the queries that read them are the same for
all, so they are declared here; a service switches a projection on in its composition root
(``ServiceSpec(projections=…)``) and lists it beside its ``Base`` so its migrations and
metadata contain the tables (``include_tables``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from vbpkit.db.engine import new_metadata
from vbpkit.messaging.handlers import AnyHandler, handler_table


class ProjectionBase(DeclarativeBase):
    """The mapped classes of every projection. Each service's database holds the tables of
    the projections it switched on; this metadata is never migrated as a whole."""

    metadata = new_metadata()


@dataclass(frozen=True)
class Projection:
    name: str
    models: tuple[type[ProjectionBase], ...]
    handlers: Mapping[str, AnyHandler | Sequence[AnyHandler]] = field(default_factory=dict)


def include_tables(metadata: MetaData, projections: Iterable[Projection]) -> MetaData:
    """Copy the projections' tables into a service's own metadata, so that its Alembic
    history and the migration check see them as the service's tables."""
    for projection in projections:
        for model in projection.models:
            if model.__tablename__ not in metadata.tables:
                model.__table__.to_metadata(metadata)
    return metadata


def merged_handlers(projections: Iterable[Projection],
                    own: Mapping[str, AnyHandler | Sequence[AnyHandler]]) -> dict[str, tuple[AnyHandler, ...]]:
    """The service's handler table: each event type's projection handlers first — the read model
    is written before a service's own handler of the same event reads it — then its own."""
    return handler_table(*(p.handlers for p in projections), own)
