"""The gateway's composition, as ``vbpkit.runtime.service_app`` is each service's: ``main.py``
names the gateway's own routers and background jobs in a :class:`GatewaySpec`, and
:func:`create_gateway_app` does the rest — runtime, lifespan, documents and the middleware.

From the outside in: the request id; the audit trail (it sees every request and its status);
the proxy, which takes every ``/<service>/…`` request and forwards it (GW-1) and so never meets
the layers below; and, for the gateway's own routes, one unit of work per request (committed
once, before the answer leaves; rolled back on any error), as in every service.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI

from vbp_gateway.audit.middleware import AuditMiddleware
from vbp_gateway.docs.service import ASSETS_PATH, assets
from vbp_gateway.proxy import ServiceProxy, unknown_services
from vbp_gateway.runtime import GatewayRuntime, build_runtime, close_runtime
from vbp_gateway.settings import GatewaySettings
from vbpkit.db.migrations import upgrade_to_head
from vbpkit.runtime.supervised_loops import Supervised, stop_tasks
from vbpkit.web import idempotency
from vbpkit.web import openapi as documented
from vbpkit.web.problems import install_problem_handlers
from vbpkit.web.query_names import reject_unknown_query_parameters
from vbpkit.web.request_id import RequestIdMiddleware
from vbpkit.web.unit_of_work import UnitOfWorkMiddleware

log = logging.getLogger(__name__)
SHUTDOWN_SECONDS = 10


@dataclass
class GatewaySpec:
    title: str
    description: str
    migrations: Path
    routers: Sequence[APIRouter]
    background: Sequence[Callable[[GatewayRuntime], Awaitable[None]]] = ()


class WithoutIdempotencyKey:
    """The gateway's own writes (issuing and revoking a key) are not replayed by Idempotency-Key,
    as they never were: a replayed issue would need the issued key stored, and the platform never
    keeps a key's secret (GW-2). The header is dropped before the unit of work, which would claim
    it in an idempotency table the gateway does not have."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            header = idempotency.HEADER.encode()
            scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() != header]}
        await self.app(scope, receive, send)


def create_gateway_app(spec: GatewaySpec, settings: GatewaySettings) -> FastAPI:
    runtime = build_runtime(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        # GW-5: the role table is read while the database migrates; what is not up yet is read later
        await asyncio.gather(asyncio.to_thread(upgrade_to_head, spec.migrations, settings.database_url),
                             runtime.roles.load())
        loops = {"roles": lambda: runtime.roles.keep_current(settings.roles_refresh_seconds)}
        loops |= {job.__name__: (lambda job=job: job(runtime)) for job in spec.background}
        runtime.tasks = {name: Supervised(f"gateway-{name}", loop) for name, loop in loops.items()}
        tasks = [supervised.start() for supervised in runtime.tasks.values()]
        try:
            yield
        finally:
            stuck = await stop_tasks(tasks, SHUTDOWN_SECONDS)
            if stuck:
                log.warning("gateway: background tasks did not stop in %ss: %s", SHUTDOWN_SECONDS,
                            [t.get_name() for t in stuck])
            await close_runtime(runtime)

    app = FastAPI(title=spec.title, description=spec.description, version=documented.API_VERSION, lifespan=lifespan,
                  openapi_url=None, docs_url=None, redoc_url=None,
                  dependencies=[Depends(reject_unknown_query_parameters)])
    app.state.runtime = runtime
    install_problem_handlers(app)
    for router in spec.routers:
        app.include_router(router)
    app.mount(ASSETS_PATH, assets(), name="docs-assets")
    app.include_router(unknown_services)  # last: what no route above took
    documented.install(app, routers=list(spec.routers), idempotent_posts=False)  # see WithoutIdempotencyKey

    app.add_middleware(UnitOfWorkMiddleware, sessionmaker=runtime.sessionmaker)
    app.add_middleware(WithoutIdempotencyKey)
    app.add_middleware(ServiceProxy, clients=runtime.clients, store=runtime.key_store,
                       identity_key=runtime.identity_key, roles=runtime.roles, limits=runtime.limits,
                       bearer=runtime.bearer, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(AuditMiddleware, sessionmaker=runtime.sessionmaker)
    app.add_middleware(RequestIdMiddleware)
    return app
