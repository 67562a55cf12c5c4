"""Issue 2 "an injectable clock": a service set to another date runs every date rule at it."""

from datetime import date

from vbp_catalog.main import create_app
from vbp_catalog.settings import CatalogSettings
from vbpkit.runtime.clock import FrozenClock, SystemClock


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


async def started(settings):
    """The same service started again on the same database, as the launcher restarts it."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        return app.state.runtime.clock.now()


class TestAFrozenClockSurvivesARestart:
    """Found by bench/chaos.py (issue 13): a frozen clock moved with ``PUT /clock`` went back to
    its ``CLOCK=frozen:`` start when the supervisor restarted a killed service, so the restarted
    contracts refused orders as before their batch's start. Where it was set is now kept."""

    async def test_a_restarted_service_stands_where_it_was_set_under_the_same_setting(self, service_client):
        client = await service_client(create_app, CatalogSettings, consumers_enabled=False,
                                      clock="frozen:2023-01-16T09:00+08:00")
        moved = await client.put("/clock", json={"now": "2023-02-06T09:00:00+08:00"})
        assert moved.status_code == 200, moved.text
        settings = client.app.state.runtime.settings
        assert (await started(settings)).isoformat() == "2023-02-06T09:00:00+08:00"
        # started with another setting, a deployment means that one
        other = settings.model_copy(update={"clock": "frozen:2024-05-01T09:00+08:00"})
        assert (await started(other)).date() == date(2024, 5, 1)
