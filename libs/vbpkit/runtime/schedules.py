"""A rule that is checked on a schedule, on the service's injectable clock.

CAT-6 (lower-price deadlines), SET-2 (overdue invoices) and SET-3 (late tranches) each
run a check "as of today" in one transaction, every N seconds, as a supervised
background loop (vbpkit.runtime.supervised_loops). A failed round writes nothing and the next round tries
again; the same check is also run on demand by an ops endpoint.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from vbpkit.runtime.service_app import Runtime

log = logging.getLogger(__name__)

Check = Callable[..., Awaitable[Any]]  # check(session, *, today: date) -> what it did


def scheduled(
    name: str,
    check: Check,
    *,
    every: Callable[[Any], float],
    rule: str,
    worth_logging: Callable[[Any], bool] = bool,
) -> Callable[[Runtime], Awaitable[None]]:
    """A background job for ``ServiceSpec(background=…)`` that runs ``check`` every
    ``every(settings)`` seconds with the clock's date; ``rule`` names it in the log."""

    async def run(runtime: Runtime) -> None:
        while True:
            try:
                async with runtime.sessionmaker() as session, session.begin():
                    result = await check(session, today=runtime.clock.today())
                if worth_logging(result):
                    log.info("%s check: %s", rule, result)
            except Exception:  # the next round tries again; nothing half-written (one transaction)
                log.exception("%s check failed", rule)
            await asyncio.sleep(every(runtime.settings))

    run.__name__ = name
    return run
