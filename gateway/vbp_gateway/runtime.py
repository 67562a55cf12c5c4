"""What the gateway holds for its whole life, made once from its settings: the database, the key
store, the rate limits, the bearer verifier, one HTTP client per service and the role table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

import httpx
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from vbp_gateway.bearer import BearerVerifier
from vbp_gateway.docs.cache import MergedDocument
from vbp_gateway.docs.fetch import fetch_service_document
from vbp_gateway.keys.store import KeyStore
from vbp_gateway.ratelimit import RateLimits
from vbp_gateway.roles import RoleTable
from vbp_gateway.settings import GatewaySettings
from vbpkit.db.engine import create_engine, create_sessionmaker
from vbpkit.runtime.supervised_loops import Supervised

# a service's document is small and cached by the service: a slower answer means it is not up
DOCUMENT_TIMEOUT_SECONDS = 5.0


@dataclass
class GatewayRuntime:
    settings: GatewaySettings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    key_store: KeyStore
    limits: RateLimits
    bearer: BearerVerifier | None
    identity_key: bytes
    upstreams: dict[str, str]
    clients: dict[str, httpx.AsyncClient]  # one per service, for forwarding
    client: httpx.AsyncClient  # the services' health and documents
    roles: RoleTable
    documents: MergedDocument
    tasks: dict[str, Supervised] = field(default_factory=dict)


def upstream_clients(upstreams: dict[str, str], timeout_seconds: float) -> dict[str, httpx.AsyncClient]:
    """One client per service: httpcore scans its whole pool on every request."""
    return {
        name: httpx.AsyncClient(
            base_url=url, timeout=httpx.Timeout(timeout_seconds, connect=5.0),
            # idle connections are dropped well before the services' keep-alive timeout (75 s)
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50, keepalive_expiry=15.0),
        )
        for name, url in upstreams.items()
    }


def bearer_verifier(settings: GatewaySettings) -> BearerVerifier | None:
    """GW-2: ops users' JWTs, when an issuer is configured."""
    if not settings.oidc_issuer:
        return None
    return BearerVerifier(
        issuer=settings.oidc_issuer, audience=settings.oidc_audience or "", jwks_url=settings.oidc_jwks_url,
        public_key_pem=settings.oidc_public_key_pem, algorithms=settings.oidc_algorithms,
        role_claim=settings.oidc_role_claim, tenant_claim=settings.oidc_tenant_claim, role_map=settings.oidc_role_map,
        leeway_seconds=settings.oidc_leeway_seconds)


def build_runtime(settings: GatewaySettings) -> GatewayRuntime:
    engine = create_engine(settings.database_url, pool_size=5)
    sessionmaker = create_sessionmaker(engine)
    identity_key = settings.identity_key.get_secret_value().encode()
    upstreams = settings.upstreams()
    client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0))
    timeout = min(DOCUMENT_TIMEOUT_SECONDS, settings.upstream_timeout_seconds)

    async def document_of(service: str) -> dict | None:
        return await fetch_service_document(client, service, upstreams[service], identity_key, timeout=timeout)

    return GatewayRuntime(
        settings=settings, engine=engine, sessionmaker=sessionmaker,
        key_store=KeyStore(sessionmaker, admin_key=settings.admin_api_key.get_secret_value(),
                           cache_seconds=settings.key_cache_seconds),
        limits=RateLimits(per_role=settings.rate_limits, auth_failures=settings.auth_failure_limit,
                          redis_url=settings.redis_url),
        bearer=bearer_verifier(settings), identity_key=identity_key, upstreams=upstreams,
        clients=upstream_clients(upstreams, settings.upstream_timeout_seconds), client=client,
        roles=RoleTable(document_of, upstreams, miss_refresh_seconds=settings.roles_miss_refresh_seconds),
        documents=MergedDocument(client, upstreams, identity_key),
    )


async def close_runtime(runtime: GatewayRuntime) -> None:
    await runtime.roles.close()
    await runtime.client.aclose()
    for client in runtime.clients.values():
        await client.aclose()
    await runtime.engine.dispose()


async def runtime_of(request: Request) -> GatewayRuntime:
    return request.app.state.runtime


RuntimeDep = Annotated[GatewayRuntime, Depends(runtime_of)]
