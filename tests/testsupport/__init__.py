"""What tests share beyond fixtures: the test identity key, principals, a signing client,
and waiting for eventually-consistent read models."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from pathlib import Path

import httpx

from vbpkit.web import identity
from vbpkit.web.identity import Principal, Role

IDENTITY_KEY = "test-identity-key-0123456789abcdef"

# the repository's root: README, deploy/, bench/ and the compose file are read from here
ROOT = Path(__file__).resolve().parents[2]

# The shared end-to-end platform's databases: unique per test run, so runs against one
# configured PostgreSQL server (VBP_TEST_DATABASE_URL) never share or accumulate rows.
SHARED_PREFIX = f"e2e_{uuid.uuid4().hex[:8]}_"


def shared_database(service: str) -> str:
    """The database of ``service`` (or ``gateway``) in the shared end-to-end platform."""
    return f"{SHARED_PREFIX}{service}"


def signed_headers(
    principal: Principal, method: str, path: str, key: str = IDENTITY_KEY, query: str = "", *,
    service: str = "catalog", body: bytes = b"",
) -> dict[str, str]:
    return identity.sign(principal, key=key.encode(), method=method, service=service, path=path, query=query,
                         body=body)


class SignedClient(httpx.AsyncClient):
    """Calls a service directly as the gateway would: the principal signed per request."""

    def __init__(self, *args, principal: Principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.principal = principal

    def as_(self, principal: Principal) -> "SignedClient":
        self.principal = principal
        return self

    async def send(self, request: httpx.Request, **kwargs):
        # GW-3: signed for the service the app is (``client.app``), this path, query and body
        request.headers.update(signed_headers(
            self.principal, request.method, request.url.path, query=request.url.query.decode("latin-1"),
            service=self.app.state.service_name, body=request.read()))
        return await super().send(request, **kwargs)


ADMIN = Principal(role=Role.ADMIN, tenant=None, key_id="test-admin")
EXCHANGE = Principal(role=Role.EXCHANGE, tenant="CQ-EXCHANGE", key_id="test-exchange")


@contextlib.asynccontextmanager
async def running(worker):
    """Run a relay's or consumer's ``run()`` loop for the block, then cancel and close it."""
    task = asyncio.create_task(worker.run())
    try:
        yield worker
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await worker.close()


async def eventually(check, timeout: float = 30.0, interval: float = 0.1):
    """Await ``check()`` until it stops raising AssertionError; re-raise after ``timeout``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            return await check()
        except AssertionError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(interval)
