"""Composition root of the gateway."""


import asyncio
import contextlib
import time
from pathlib import Path
from datetime import datetime
from typing import Annotated, Literal

import fastapi_offline
import httpx
from fastapi import Depends, FastAPI, Query, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from vbp_gateway import audit, docs, keys
from vbp_gateway.bearer import BearerVerifier
from vbp_gateway.proxy import ServiceProxy, authenticate, client_address, upstream_clients
from vbp_gateway.ratelimit import RateLimits
from vbp_gateway.settings import GatewaySettings
from vbpkit.messaging import broker
from vbpkit.web import openapi as documented
from vbpkit.db.engine import create_engine, create_sessionmaker
from vbpkit.events.asyncapi import asyncapi_document
from vbpkit.web.identity import Principal, Role
from vbpkit.db.migrations import upgrade_to_head
from vbpkit.web.problems import Problem, install_problem_handlers
from vbpkit.web.request_id import RequestIdMiddleware
from vbpkit.web.xlsx import attachment

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
SERVICES = ("catalog", "contracts", "settlement", "monitoring")
DOCS_CACHE_SECONDS = 30.0
DOCS_ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    engine = create_engine(settings.database_url, pool_size=5)
    sessionmaker = create_sessionmaker(engine)
    store = keys.KeyStore(
        sessionmaker, admin_key=settings.admin_api_key.get_secret_value(), cache_seconds=settings.key_cache_seconds
    )
    identity_key = settings.identity_key.get_secret_value().encode()
    upstreams = settings.upstreams()
    client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0))  # health and docs
    proxied = upstream_clients(upstreams, settings.upstream_timeout_seconds)
    limits = RateLimits(per_role=settings.rate_limits, auth_failures=settings.auth_failure_limit,
                        redis_url=settings.redis_url)
    bearer = BearerVerifier(
        issuer=settings.oidc_issuer, audience=settings.oidc_audience or "", jwks_url=settings.oidc_jwks_url,
        public_key_pem=settings.oidc_public_key_pem, algorithms=settings.oidc_algorithms,
        role_claim=settings.oidc_role_claim, tenant_claim=settings.oidc_tenant_claim, role_map=settings.oidc_role_map,
        leeway_seconds=settings.oidc_leeway_seconds) if settings.oidc_issuer else None
    docs_cache: dict = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        await asyncio.to_thread(upgrade_to_head, MIGRATIONS, settings.database_url)
        retention = asyncio.create_task(audit.housekeeping(
            sessionmaker, days=settings.audit_retention_days, every_seconds=settings.audit_housekeeping_seconds))
        try:
            yield
        finally:
            retention.cancel()
            await client.aclose()
            for upstream in proxied.values():
                await upstream.aclose()
            await engine.dispose()

    app = FastAPI(
        title="VBP execution platform",
        description="Volume-based procurement execution: catalog, contracts, settlement and monitoring. "
        "Authenticate with an API key in `X-API-Key` (or `Authorization: Bearer`).",
        version="1.0.0",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    install_problem_handlers(app)
    app.state.limits = limits  # GW-4: tests reset it between cases
    app.state.key_store = store

    async def principal_of(request: Request) -> Principal:
        principal = await authenticate(store, dict(request.scope["headers"]), limits=limits,
                                       address=client_address(request.scope), bearer=bearer)
        request.state.principal = principal  # for the audit trail
        return principal

    PrincipalDep = Annotated[Principal, Depends(principal_of)]

    async def admin_only(principal: PrincipalDep) -> Principal:
        if principal.role is not Role.ADMIN:
            raise Problem(403, detail="only an admin may manage API keys")
        return principal

    admin_only.allowed_roles = frozenset({Role.ADMIN})  # read by the OpenAPI document (x-roles)
    AdminDep = Annotated[Principal, Depends(admin_only)]

    @app.post("/admin/api-keys", status_code=201, response_model=keys.ApiKeyIssued, tags=["admin"],
              summary="Issue an API key (GW-2); the key is shown only in this response")
    async def issue_key(body: keys.ApiKeyCreate, admin: AdminDep) -> keys.ApiKeyIssued:
        async with sessionmaker.begin() as session:
            return await keys.issue(session, body, by=admin)

    @app.get("/admin/api-keys", response_model=keys.ApiKeyPage, tags=["admin"],
             summary="List API keys, a page at a time (never their secrets)")
    async def list_keys(
        admin: AdminDep, include_revoked: Annotated[bool, Query()] = False,
        role: Annotated[Role | None, Query()] = None, tenant: Annotated[str | None, Query(max_length=64)] = None,
        cursor: Annotated[str | None, Query(max_length=32, pattern=r"^[0-9a-f]+$")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> keys.ApiKeyPage:
        async with sessionmaker() as session:
            rows = await keys.listing(session, include_revoked=include_revoked, after=cursor, limit=limit,
                                      role=role.value if role else None, tenant=tenant)
        return keys.ApiKeyPage(items=[keys.ApiKeyRead.model_validate(r) for r in rows],
                               next_cursor=rows[-1].key_id if len(rows) == limit else None)

    @app.get("/me", tags=["admin"], response_model=keys.Me,
             summary="Who you are to the platform: role, tenant, key id and where your rate limit stands (GW-2, GW-4)")
    async def me(principal: PrincipalDep) -> dict:
        return {"role": principal.role.value, "tenant": principal.tenant, "key_id": principal.key_id,
                "rate_limit": await limits.state(principal)}

    @app.delete("/admin/api-keys/{key_id}", response_model=keys.ApiKeyRead, tags=["admin"],
                summary="Revoke an API key; it stops working at once")
    async def revoke_key(key_id: str, admin: AdminDep) -> keys.ApiKeyRead:
        async with sessionmaker.begin() as session:
            row = await keys.revoke(session, key_id)
            if row is None:
                raise Problem(404, detail=f"no API key {key_id!r}")
            read = keys.ApiKeyRead.model_validate(row)
        store.forget(key_id)
        return read

    @app.get("/admin/audit-log", response_model=audit.AuditPage, tags=["admin"],
             responses={200: {"content": {"text/csv": {}}}},
             summary="The audit trail: every write and failed authentication through the gateway, oldest first; "
                     "format=csv exports the page (admin)")
    async def audit_log(
        admin: AdminDep,
        event: Annotated[Literal["write", "auth_failure", "key_issued", "key_revoked"] | None, Query()] = None,
        key_id: Annotated[str | None, Query(max_length=32)] = None,
        since: Annotated[datetime | None, Query(description="from this instant (ISO 8601 with offset)")] = None,
        until: Annotated[datetime | None, Query(description="before this instant")] = None,
        cursor: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
        format: Literal["json", "csv"] = "json",
    ):
        async with sessionmaker() as session:
            rows = await audit.page(session, after=cursor, limit=limit, event=event, key_id=key_id, since=since,
                                    until=until)
        if format == "csv":
            return Response(audit.as_csv(rows), media_type="text/csv; charset=utf-8",
                            headers=attachment("audit-log.csv"))
        return audit.AuditPage(items=[audit.AuditRead.model_validate(r) for r in rows],
                               next_cursor=rows[-1].id if len(rows) == limit else None)

    @app.get("/health", tags=["health"], summary="Gateway, each service, its database and the broker (GW-6)")
    async def health() -> JSONResponse:
        async def service(name: str, base: str) -> tuple[str, dict]:
            try:
                response = await client.get(base + "/health", timeout=5)
                return name, response.json()
            except (httpx.HTTPError, ValueError) as exc:
                return name, {"status": "unreachable", "error": f"{type(exc).__name__}: {exc}"}

        async def database() -> dict:
            try:
                async with engine.connect() as connection:
                    await asyncio.wait_for(connection.execute(text("SELECT 1")), timeout=2)
                return {"ok": True}
            except Exception as exc:
                return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}

        async def kafka() -> dict:
            try:
                await asyncio.wait_for(broker.ping(settings.kafka_bootstrap_servers), timeout=3)
                return {"ok": True}
            except Exception as exc:
                return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}

        results = await asyncio.gather(database(), kafka(), *(service(n, b) for n, b in upstreams.items()))
        services = dict(results[2:])
        healthy = results[0]["ok"] and results[1]["ok"] and all(s.get("status") == "ok" for s in services.values())
        body = {
            "status": "ok" if healthy else "degraded",
            "gateway": {"database": results[0], "restarts": settings.restarts},
            "broker": results[1],
            "services": services,
        }
        return JSONResponse(body, status_code=200 if healthy else 503)

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi() -> JSONResponse:
        expires, merged, complete = docs_cache.get("doc", (0.0, None, False))
        if merged is None or not complete or expires < time.monotonic():
            service_docs = await docs.fetch_service_documents(client, upstreams, identity_key)
            merged = docs.merge(app.openapi(), service_docs)
            complete = None not in service_docs.values()
            docs_cache["doc"] = (time.monotonic() + DOCS_CACHE_SECONDS, merged, complete)
        return JSONResponse(merged)

    # Swagger UI and ReDoc from the platform's own files (fastapi-offline's bundle), not a CDN:
    # the docs work on a network with no way out, as government networks often are (issue 11)
    app.mount("/docs-assets", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger():
        return get_swagger_ui_html(openapi_url="/openapi.json", title="VBP platform — API",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon.png")

    @app.get("/redoc", include_in_schema=False)
    async def redoc():
        return get_redoc_html(openapi_url="/openapi.json", title="VBP platform — API",
                              redoc_js_url="/docs-assets/redoc.standalone.js",
                              redoc_favicon_url="/docs-assets/favicon.png", with_google_fonts=False)

    @app.get("/asyncapi.json", tags=["events"], summary="AsyncAPI document of every event the platform publishes")
    async def asyncapi() -> dict:
        return asyncapi_document()

    @app.api_route("/{service}/{path:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
                   include_in_schema=False)
    async def unknown_service(service: str, path: str):
        # the proxy in front has taken every known service's paths
        raise Problem(404, detail=f"no service {service!r}; the services are {', '.join(SERVICES)}")

    app.add_middleware(ServiceProxy, clients=proxied, store=store, identity_key=identity_key, limits=limits,
                       bearer=bearer, max_body_bytes=settings.max_body_bytes)
    documented.install(app)
    app.add_middleware(audit.AuditMiddleware, sessionmaker=sessionmaker)
    app.add_middleware(RequestIdMiddleware)
    return app
