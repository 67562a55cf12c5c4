"""The monitoring database MON tests run on: migrated, with one chongqing-2025 batch and three
hospitals in two provinces."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from vbp_monitoring.main import MIGRATIONS
from vbpkit.db.engine import create_sessionmaker
from vbpkit.db.migrations import upgrade_to_head
from vbpkit.domain.policy import policy_from_preset
from vbpkit.projections.catalog_view.models import BatchView
from vbpkit.projections.registry.models import InstitutionView, fund_for_level


@pytest.fixture
async def sessions(new_database):
    url = await new_database("monitoring_progress")
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    engine = create_async_engine(url)
    maker = create_sessionmaker(engine)
    now = datetime.now(timezone.utc)
    async with maker() as session, session.begin():
        # chongqing-2025 from 2025-01-01 for two years: year 1 is 2025-01-01 … 2025-12-31 (365 days)
        session.add(BatchView(code="CQ", name="CQ", kind="consumable", starts_on=date(2025, 1, 1),
                              ends_on=date(2026, 12, 31), ended_early_on=None,
                              policy=policy_from_preset("chongqing-2025"), groups=[], as_of=now))
        for code, region in (("H1", "500103"), ("H2", "500157"), ("H3", "510104")):
            session.add(InstitutionView(code=code, name=code, level=3, kind="public", region_code=region,
                                        fund=fund_for_level(3), as_of=now))
    yield maker
    await engine.dispose()


