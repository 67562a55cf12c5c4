"""Background loops that cannot die unnoticed (issue 7 item 8).

A service's relay, consumer and scheduled jobs run as asyncio tasks for the whole life of
the process. Two things once ended such a task without a word:

- a ``CancelledError`` raised *inside* the task by a library rather than by whoever owns
  the task — aiokafka's ``Fetcher.close()`` cancels a pending fetch task and re-raises its
  ``CancelledError`` to the caller of ``consumer.stop()`` (aio-libs/aiokafka#647), so a
  consumer restarting during a broker outage was "cancelled" although nobody cancelled it;
- an exception that escapes a loop's own retry (a bug), which asyncio only reports when
  the task object is garbage-collected.

:func:`cancelled_from_outside` tells the two kinds of cancellation apart, and
:class:`Supervised` keeps a loop running: it logs every end, restarts it with backoff, and
reports its state for ``/health``. A real cancellation (the service shutting down) still
ends it at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


def cancelled_from_outside() -> bool:
    """True when the running task itself is being cancelled (its owner called ``cancel()``).

    asyncio counts requested cancellations per task (``Task.cancelling()``, Python 3.11);
    a ``CancelledError`` that merely travelled up from a child task leaves the count at 0.
    """
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def failure_of(exc: BaseException) -> str:
    """How one attempt of a loop failed; a real cancellation of the task is re-raised.

    For ``except (Exception, asyncio.CancelledError) as exc`` in loops that must only
    end by shutdown (relay, consumer, :class:`Supervised`).
    """
    if isinstance(exc, asyncio.CancelledError):
        if cancelled_from_outside():
            raise exc
        return "CancelledError raised inside the loop by a library task (not a shutdown)"
    return f"{type(exc).__name__}: {exc}"


class Supervised:
    """One background loop of a service, restarted whenever it ends while the service runs.

    The loops given here (relay, consumer, schedules) are meant never to return: each
    retries its own failures. So any end is a fault — logged at ERROR with its cause,
    counted in ``restarts``, shown in ``/health`` — and the loop starts again after a
    backoff (0.5 s doubling to ``max_backoff_seconds``; reset after a minute of health).
    """

    def __init__(self, name: str, loop: Callable[[], Awaitable[None]], *, max_backoff_seconds: float = 10.0):
        self.name = name
        self._loop = loop
        self._max_backoff = max_backoff_seconds
        self.task: asyncio.Task | None = None
        self.restarts = 0
        self.last_end: str | None = None

    def start(self) -> asyncio.Task:
        self.task = asyncio.create_task(self._supervise(), name=self.name)
        self.task.add_done_callback(self._report_end)
        return self.task

    @property
    def alive(self) -> bool:
        return self.task is not None and not self.task.done()

    def status(self) -> dict:
        return {"alive": self.alive, "restarts": self.restarts, "last_end": self.last_end}

    async def _supervise(self) -> None:
        backoff = 0.0
        while True:
            started = time.monotonic()
            try:
                await self._loop()
                self.last_end = "returned"
            except (Exception, asyncio.CancelledError) as exc:
                self.last_end = failure_of(exc)
            self.restarts += 1
            backoff = 0.5 if time.monotonic() - started > 60 else min(max(backoff * 2, 0.5), self._max_backoff)
            log.error("background task %s ended (%s); restart %d in %.1fs",
                      self.name, self.last_end, self.restarts, backoff)
            await asyncio.sleep(backoff)

    def _report_end(self, task: asyncio.Task) -> None:
        """The supervisor itself should end only by shutdown; say so loudly if not."""
        if task.cancelled():
            log.info("background task %s stopped", self.name)
            return
        exc = task.exception()
        self.last_end = f"supervisor ended: {type(exc).__name__}: {exc}" if exc else "supervisor returned"
        log.error("background task %s is dead: %s", self.name, self.last_end, exc_info=exc)


async def stop_tasks(tasks: list[asyncio.Task], timeout: float) -> list[asyncio.Task]:
    """Cancel and await ``tasks`` for at most ``timeout`` seconds; returns those still stuck."""
    for task in tasks:
        task.cancel()
    if not tasks:
        return []
    _, stuck = await asyncio.wait(tasks, timeout=timeout)
    return list(stuck)
