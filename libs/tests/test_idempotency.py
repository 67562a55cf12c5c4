"""DESIGN §5 Idempotency-Key: replay, conflict, and exactly one effect under concurrency."""

import asyncio
import uuid

from sqlalchemy import func, select

from vbp_catalog.institutions.models import Institution
from vbp_catalog.main import create_app
from vbp_catalog.settings import CatalogSettings
from vbpkit.db.tables import OutboxRow


def row(code: str, name: str = "重庆市人民医院") -> dict:
    return {"code": code, "name": name, "level": 3, "kind": "public", "region_code": "500157"}


async def count(client, model) -> int:
    async with client.app.state.runtime.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model))


class TestIdempotencyKey:
    async def test_same_key_and_body_replays_the_first_response_byte_for_byte(self, service_client):
        client = await service_client(create_app, CatalogSettings, consumers_enabled=False)
        key = {"Idempotency-Key": str(uuid.uuid4())}
        first = await client.post("/institutions", json={"rows": [row("H1")]}, headers=key)
        # the same rows again would now report "unchanged": a replay must not
        second = await client.post("/institutions", json={"rows": [row("H1")]}, headers=key)
        assert first.status_code == second.status_code == 200
        assert first.json()["created"] == 1
        assert second.content == first.content
        assert second.headers["idempotent-replayed"] == "true"
        assert await count(client, OutboxRow) == 1

    async def test_same_key_with_another_body_is_a_409(self, service_client):
        client = await service_client(create_app, CatalogSettings, consumers_enabled=False)
        key = {"Idempotency-Key": "k-409"}
        await client.post("/institutions", json={"rows": [row("H1")]}, headers=key)
        other = await client.post("/institutions", json={"rows": [row("H2")]}, headers=key)
        assert other.status_code == 409
        assert other.headers["content-type"] == "application/problem+json"
        assert other.json()["type"].endswith("/idempotency-key-reused")
        assert await count(client, Institution) == 1

    async def test_twenty_concurrent_requests_with_one_key_have_exactly_one_effect(self, service_client):
        client = await service_client(create_app, CatalogSettings, consumers_enabled=False)
        key = {"Idempotency-Key": "k-concurrent"}
        responses = await asyncio.gather(
            *(client.post("/institutions", json={"rows": [row("H1")]}, headers=key) for _ in range(20))
        )
        assert {r.status_code for r in responses} == {200}
        assert len({r.content for r in responses}) == 1
        assert sum(1 for r in responses if "idempotent-replayed" not in r.headers) == 1
        assert await count(client, OutboxRow) == 1

    async def test_a_failed_request_does_not_use_up_its_key(self, service_client):
        client = await service_client(create_app, CatalogSettings, consumers_enabled=False)
        key = {"Idempotency-Key": "k-retry"}
        bad = await client.post("/institutions", json={"rows": [{"code": "H1"}]}, headers=key)
        assert bad.status_code == 422
        assert await count(client, Institution) == 0
        # the corrected body under the same key: were the failure kept for the key, this
        # would be a 409 (another body) or a replay of the 422, and nothing stored
        good = await client.post("/institutions", json={"rows": [row("H1")]}, headers=key)
        assert good.status_code == 200, good.text
        assert good.json()["created"] == 1
        assert "idempotent-replayed" not in good.headers
        assert await count(client, Institution) == 1
        again = await client.post("/institutions", json={"rows": [row("H1")]}, headers=key)
        assert again.headers["idempotent-replayed"] == "true" and again.content == good.content

    async def test_keys_of_different_callers_do_not_collide(self, service_client):
        from testsupport import EXCHANGE, ADMIN

        client = await service_client(create_app, CatalogSettings, consumers_enabled=False)
        key = {"Idempotency-Key": "shared"}
        await client.as_(ADMIN).post("/institutions", json={"rows": [row("H1")]}, headers=key)
        other = await client.as_(EXCHANGE).post("/institutions", json={"rows": [row("H2")]}, headers=key)
        assert other.status_code == 200
        assert await count(client, Institution) == 2
