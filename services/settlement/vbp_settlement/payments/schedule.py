"""The SET-2 overdue check on its own schedule, driven by the service's injectable clock."""

import asyncio
import logging

from vbpkit.service_app import Runtime

from vbp_settlement.payments.service import run_overdue_check

log = logging.getLogger(__name__)


async def overdue_schedule(runtime: Runtime) -> None:
    while True:
        try:
            async with runtime.sessionmaker() as session, session.begin():
                marked = await run_overdue_check(session, today=runtime.clock.today())
            if marked:
                log.info("SET-2 overdue check: invoices %s are overdue", marked)
        except asyncio.CancelledError:
            raise
        except Exception:  # the next round tries again; nothing half-written (one transaction)
            log.exception("SET-2 overdue check failed")
        await asyncio.sleep(runtime.settings.overdue_check_seconds)
