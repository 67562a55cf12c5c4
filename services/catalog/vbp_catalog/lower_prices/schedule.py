"""The CAT-6 check on its own schedule, driven by the service's injectable clock."""

import asyncio
import logging

from vbpkit.service_app import Runtime

from vbp_catalog.lower_prices.service import run_daily_check

log = logging.getLogger(__name__)


async def lower_price_schedule(runtime: Runtime) -> None:
    while True:
        try:
            async with runtime.sessionmaker() as session, session.begin():
                result = await run_daily_check(session, today=runtime.clock.today())
            if result["reductions_applied"] or result["lower_prices_lapsed"]:
                log.info("CAT-6 check: %s", result)
        except asyncio.CancelledError:
            raise
        except Exception:  # the next round tries again; nothing half-written (one transaction)
            log.exception("CAT-6 check failed")
        await asyncio.sleep(runtime.settings.lower_price_check_seconds)
