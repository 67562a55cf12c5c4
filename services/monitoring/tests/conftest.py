"""The monitoring database MON tests run on: migrated, with one chongqing-2025 batch and three
hospitals in two provinces."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from monitoring_setup import add_batch_and_hospitals
from vbp_monitoring.main import MIGRATIONS
from vbpkit.db.engine import create_sessionmaker
from vbpkit.db.migrations import upgrade_to_head


@pytest.fixture
async def sessions(new_database):
    url = await new_database("monitoring_progress")
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    engine = create_async_engine(url)
    maker = create_sessionmaker(engine)
    await add_batch_and_hospitals(maker)
    yield maker
    await engine.dispose()

