"""The SET-3 late-tranche check on its own schedule, driven by the service's injectable clock."""

import asyncio
import logging

from vbpkit.service_app import Runtime

from vbp_settlement.prepayments.service import run_late_check

log = logging.getLogger(__name__)


async def late_schedule(runtime: Runtime) -> None:
    while True:
        try:
            async with runtime.sessionmaker() as session, session.begin():
                late = await run_late_check(session, today=runtime.clock.today())
            if late:
                log.info("SET-3 late check: tranches %s are late", late)
        except asyncio.CancelledError:
            raise
        except Exception:  # the next round tries again; nothing half-written (one transaction)
            log.exception("SET-3 late check failed")
        await asyncio.sleep(runtime.settings.overdue_check_seconds)
