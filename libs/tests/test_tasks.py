"""Issue 7 item 8: a service's background loops never end unnoticed. A CancelledError that a
library raises from its own child task is not a shutdown; a loop that ends anyway is logged,
restarted and shown in /health; a real cancellation still stops everything at once."""

import asyncio
import logging

import pytest

from vbpkit.messaging import broker
from vbpkit.runtime.supervised_loops import Supervised, cancelled_from_outside


class ClientWhoseStopReraisesAChildsCancellation:
    """What aiokafka 0.14's consumer does when its fetcher has a pending task (aiokafka#647)."""

    def __init__(self):
        self.closed_connections = False
        self._client = self

    async def stop(self):
        child = asyncio.create_task(asyncio.sleep(10))
        await asyncio.sleep(0)
        child.cancel()
        await child  # re-raises the child's CancelledError into the caller

    async def close(self):
        self.closed_connections = True


class TestCancellationFromAChildIsNotAShutdown:
    async def test_a_childs_cancellation_is_told_apart_from_the_tasks_own(self):
        seen = []

        async def owner():
            try:
                await ClientWhoseStopReraisesAChildsCancellation().stop()
            except asyncio.CancelledError:
                seen.append(cancelled_from_outside())
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                seen.append(cancelled_from_outside())
                raise

        task = asyncio.create_task(owner())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert seen == [False, True]

    async def test_stop_quietly_swallows_it_and_closes_the_half_stopped_client(self):
        client = ClientWhoseStopReraisesAChildsCancellation()
        await broker.stop_quietly(client)  # would raise CancelledError without the kit
        assert client.closed_connections

    async def test_stop_quietly_lets_a_real_cancellation_through(self):
        class SlowToStop(ClientWhoseStopReraisesAChildsCancellation):
            async def stop(self):
                await asyncio.sleep(10)

        client = SlowToStop()
        task = asyncio.create_task(broker.stop_quietly(client, timeout=30))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert client.closed_connections


class TestSupervisedLoops:
    async def test_a_loop_that_ends_is_logged_restarted_and_counted(self, caplog):
        runs = []

        async def loop():
            runs.append(len(runs))
            if len(runs) == 1:
                raise RuntimeError("a bug escaped the loop's own retry")
            if len(runs) == 2:
                await ClientWhoseStopReraisesAChildsCancellation().stop()
            await asyncio.sleep(10)

        supervised = Supervised("svc-loop", loop, max_backoff_seconds=0.6)
        with caplog.at_level(logging.ERROR, logger="vbpkit.runtime.supervised_loops"):
            supervised.start()
            deadline = asyncio.get_running_loop().time() + 10
            while len(runs) < 3:
                assert asyncio.get_running_loop().time() < deadline, supervised.status()
                await asyncio.sleep(0.05)
        assert supervised.status() == {
            "alive": True, "restarts": 2,
            "last_end": "CancelledError raised inside the loop by a library task (not a shutdown)",
        }
        assert any("RuntimeError: a bug escaped" in r.getMessage() for r in caplog.records)
        supervised.task.cancel()
        await asyncio.gather(supervised.task, return_exceptions=True)
        assert supervised.status()["alive"] is False
        assert supervised.restarts == 2  # a shutdown is not a restart

    async def test_a_cancelled_supervisor_stops_its_loop_at_once(self):
        stopped = asyncio.Event()

        async def loop():
            try:
                await asyncio.sleep(10)
            finally:
                stopped.set()

        supervised = Supervised("svc-loop", loop)
        supervised.start()
        await asyncio.sleep(0.05)
        supervised.task.cancel()
        await asyncio.gather(supervised.task, return_exceptions=True)
        assert stopped.is_set() and supervised.restarts == 0
