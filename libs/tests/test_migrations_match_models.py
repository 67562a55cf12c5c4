"""DESIGN §2 "its own Alembic migrations": after ``upgrade head`` every service's database
has exactly the tables, columns, types, indexes and constraints its models declare,
so a model changed without a migration (or the reverse) fails here, not in production."""

import asyncio
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from vbpkit.db import tables as _kit_tables  # noqa: F401  (registers the kit tables on KitBase)
from vbpkit.db.engine import KitBase
from vbpkit.db.migrations import upgrade_to_head
from vbpkit.runtime.topology import SERVICES

ROOT = Path(__file__).resolve().parents[2]


def service_metadata(name: str):
    if name == "gateway":
        from vbp_gateway.models import Base

        for feature in (ROOT / "gateway" / "vbp_gateway").glob("*/models.py"):
            __import__(f"vbp_gateway.{feature.parent.name}.models")
        return ROOT / "gateway" / "migrations", [Base.metadata]
    models = __import__(f"vbp_{name}.models", fromlist=["Base"])
    for feature in (ROOT / "services" / name / f"vbp_{name}").glob("*/models.py"):
        __import__(f"vbp_{name}.{feature.parent.name}.models")
    return ROOT / "services" / name / "migrations", [models.Base.metadata, KitBase.metadata]


def _ignorable(diff) -> bool:
    # server defaults and comments are compared loosely by Alembic; types and shapes are not
    return diff[0] in ("modify_default", "modify_comment")


@pytest.mark.parametrize("name", [*SERVICES, "gateway"])
async def test_migrations_create_exactly_the_models(name, new_database):
    migrations, metadata = service_metadata(name)
    url = await new_database(f"mig_{name}")
    await asyncio.to_thread(upgrade_to_head, migrations, url)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            def diff(sync_connection):
                context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
                return compare_metadata(context, metadata)

            differences = await connection.run_sync(diff)
    finally:
        await engine.dispose()
    flat = [d for group in differences for d in (group if isinstance(group, list) else [group])]
    assert [d for d in flat if not _ignorable(d)] == []
