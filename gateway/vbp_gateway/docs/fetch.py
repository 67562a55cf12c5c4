"""A service's own ``/openapi.json``, asked for as the gateway (GW-3: signed, like any request):
merged for ``/docs``, and the source of the role table (``x-roles``, GW-5)."""

from __future__ import annotations

import asyncio
import logging

import httpx

from vbpkit.web import identity
from vbpkit.web.identity import Principal, Role

log = logging.getLogger(__name__)
DOCS_PRINCIPAL = Principal(role=Role.ADMIN, tenant=None, key_id="gateway-docs")


async def fetch_service_document(client: httpx.AsyncClient, service: str, base: str, key: bytes, *,
                                 timeout: float = 5.0) -> dict | None:
    """The document, or None (logged) when the service does not give one."""
    headers = identity.sign(DOCS_PRINCIPAL, key=key, method="GET", service=service, path="/openapi.json")
    try:
        response = await client.get(base + "/openapi.json", headers=headers, timeout=timeout)
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("no OpenAPI document from %s: %s", service, exc)
        return None


async def fetch_service_documents(client: httpx.AsyncClient, upstreams: dict[str, str],
                                  key: bytes) -> dict[str, dict | None]:
    async def one(service: str, base: str) -> tuple[str, dict | None]:
        return service, await fetch_service_document(client, service, base, key)

    return dict(await asyncio.gather(*(one(s, b) for s, b in upstreams.items())))
