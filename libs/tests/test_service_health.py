"""GW-6 and issue 7 item 8: a service's /health names each background loop, and a dead one
makes the service degraded (503) instead of quietly consuming nothing."""

import asyncio

from testsupport import eventually
from vbp_contracts.main import create_app
from vbp_contracts.settings import ContractsSettings


class TestHealthReportsBackgroundLoops:
    async def test_a_running_service_reports_its_relay_and_consumer_alive_with_lag(self, service_client):
        client = await service_client(create_app, ContractsSettings)

        async def consuming():
            body = (await client.get("/health")).json()
            assert body["status"] == "ok", body
            assert body["tasks"]["relay"]["alive"] and body["tasks"]["consumer"]["alive"]
            assert body["consumer"]["lag"] == 0
            assert body["relay"]["backlog"] == 0
        await eventually(consuming, timeout=60)

    async def test_a_dead_consumer_loop_makes_the_service_degraded(self, service_client):
        client = await service_client(create_app, ContractsSettings)
        supervised = client.app.state.runtime.tasks["consumer"]
        supervised.task.cancel()  # the loop's supervisor gone, as an unhandled death would leave it
        await asyncio.gather(supervised.task, return_exceptions=True)

        response = await client.get("/health")
        body = response.json()
        assert response.status_code == 503
        assert body["status"] == "degraded"
        assert body["consumer"]["ok"] is False
        assert body["tasks"]["consumer"]["alive"] is False
