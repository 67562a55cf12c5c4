"""Issue 2 "an injectable clock": a service set to another date runs every date rule at it."""

from datetime import date

from vbp_catalog.main import create_app
from vbp_catalog.settings import CatalogSettings
from vbpkit.clock import FrozenClock, SystemClock


class TestServiceClockSetting:
    async def test_a_frozen_setting_puts_the_service_at_that_date(self, service_client):
        client = await service_client(
            create_app, CatalogSettings, consumers_enabled=False, clock="frozen:2025-07-01T09:00"
        )
        clock = client.app.state.runtime.clock
        assert isinstance(clock, FrozenClock)
        assert clock.today() == date(2025, 7, 1)

    async def test_no_setting_is_system_time(self, service_client):
        client = await service_client(create_app, CatalogSettings, consumers_enabled=False)
        assert isinstance(client.app.state.runtime.clock, SystemClock)
