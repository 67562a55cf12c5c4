"""The composition every service shares: database, migrations, relay, inbox, middleware.

A service's ``main.create_app(settings)`` names its routers, its event handlers and
its migrations and hands them to :func:`create_service_app`; nothing else differs
between services, so nothing else is written four times.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from vbpkit.messaging import broker
from vbpkit.messaging import retention
from vbpkit.web import openapi
from vbpkit.messaging.parking import repository as parking
from vbpkit.web.clock_routes import restore as restore_clock
from vbpkit.web.clock_routes import router as clock_router
from vbpkit.messaging.parking.router import router as parking_router
from vbpkit.messaging.replay import router as replay_router
from vbpkit.runtime.clock import CLOCK_OPTION, Clock, clock_from_setting
from vbpkit.db.engine import create_engine, create_sessionmaker
from vbpkit.web.identity import IdentityMiddleware
from vbpkit.web.input_guard import InputGuard
from vbpkit.messaging.handlers import AWAITING, AnyHandler, HandlerTable
from vbpkit.messaging.inbox import InboxConsumer
from vbpkit.db.migrations import upgrade_to_head
from vbpkit.messaging.outbox import OutboxRelay
from vbpkit.projections.base import Projection, merged_handlers
from vbpkit.web.problems import install_problem_handlers
from vbpkit.web.query_names import reject_unknown_query_parameters
from vbpkit.web.request_id import RequestIdMiddleware, configure_logging
from vbpkit.runtime.settings import ServiceSettings
from vbpkit.runtime.supervised_loops import Supervised, stop_tasks
from vbpkit.web.unit_of_work import UnitOfWorkMiddleware


log = logging.getLogger(__name__)
SHUTDOWN_SECONDS = 10


@dataclass
class ServiceSpec:
    name: str
    title: str
    description: str
    migrations: Path
    routers: Sequence[APIRouter]
    # event type → its handler or handlers, in order (vbpkit.messaging.handlers)
    handlers: Mapping[str, AnyHandler | Sequence[AnyHandler]] = field(default_factory=dict)
    # Read models of other services' facts (vbpkit.projections): their event handlers come
    # first in each type's list; their tables are listed beside the service's Base (include_tables).
    projections: Sequence[Projection] = ()
    background: Sequence[Callable[["Runtime"], Awaitable[None]]] = ()
    # Tables filled only from consumed events, emptied and refilled by a replay
    # (vbpkit.messaging.replay); the projections' tables are added to them.
    read_models: Sequence[str] = ()


@dataclass
class Runtime:
    settings: ServiceSettings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    relay: OutboxRelay
    consumer: InboxConsumer | None
    handlers: HandlerTable = field(default_factory=dict)
    tasks: dict[str, Supervised] = field(default_factory=dict)
    read_models: tuple[str, ...] = ()


async def get_clock(request: Request) -> Clock:
    return request.app.state.runtime.clock


ClockDep = Annotated[Clock, Depends(get_clock)]


def read_models_of(spec: ServiceSpec) -> tuple[str, ...]:
    """The service's read models and its projections' tables, in a stable order."""
    projected = [m.__tablename__ for p in spec.projections for m in p.models]
    return tuple(dict.fromkeys([*spec.read_models, *projected]))


async def get_settings(request: Request) -> ServiceSettings:
    """The service's own settings (its subclass of ServiceSettings)."""
    return request.app.state.runtime.settings


SettingsDep = Annotated[ServiceSettings, Depends(get_settings)]


def create_service_app(spec: ServiceSpec, settings: ServiceSettings) -> FastAPI:
    configure_logging(settings.log_level)
    clock = clock_from_setting(settings.clock)
    # the rows this service records carry its clock's time (vbpkit.runtime.clock.recorded_now)
    engine = create_engine(settings.database_url, execution_options={CLOCK_OPTION: clock})
    sessionmaker = create_sessionmaker(engine)
    relay = OutboxRelay(
        sessionmaker,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        producer_name=spec.name,
        partitions=settings.topic_partitions,
        poll_seconds=settings.relay_poll_seconds,
        batch_size=settings.relay_batch_size,
        max_backoff_seconds=settings.relay_max_backoff_seconds,
    )
    handlers = merged_handlers(spec.projections, spec.handlers)
    consumer = None
    if handlers and settings.consumers_enabled:
        consumer = InboxConsumer(
            sessionmaker,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            group_id=f"vbp-{spec.name}",
            handlers=handlers,
            partitions=settings.topic_partitions,
            park_after_attempts=settings.park_after_attempts,
            wait_for_facts_seconds=settings.wait_for_facts_seconds,
            stale_retry_seconds=settings.stale_retry_seconds,
        )
    runtime = Runtime(settings, engine, sessionmaker, clock, relay, consumer,
                      handlers=handlers, read_models=read_models_of(spec))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        await asyncio.to_thread(upgrade_to_head, spec.migrations, settings.database_url)
        await restore_clock(runtime.clock, settings.clock, sessionmaker)
        loops = {"relay": relay.run, "housekeeping": lambda: retention.run(sessionmaker, settings)}
        if consumer is not None:
            loops["consumer"] = consumer.run
        loops |= {job.__name__: (lambda job=job: job(runtime)) for job in spec.background}
        runtime.tasks = {name: Supervised(f"{spec.name}-{name}", loop) for name, loop in loops.items()}
        tasks = [supervised.start() for supervised in runtime.tasks.values()]
        try:
            yield
        finally:
            # Shutdown is bounded: a task stuck in a network call must not keep the
            # process (or a test run) alive; what it had not committed is simply redone.
            stuck = await stop_tasks(tasks, SHUTDOWN_SECONDS)
            if stuck:
                log.warning("%s: background tasks did not stop in %ss: %s", spec.name, SHUTDOWN_SECONDS,
                            [t.get_name() for t in stuck])
            await relay.close()
            if consumer is not None:
                await consumer.close()
            try:
                await asyncio.wait_for(engine.dispose(), timeout=SHUTDOWN_SECONDS)
            except TimeoutError:
                log.warning("%s: database pool did not close in %ss", spec.name, SHUTDOWN_SECONDS)

    app = FastAPI(title=spec.title, description=spec.description, version=openapi.API_VERSION, lifespan=lifespan,
                  dependencies=[Depends(reject_unknown_query_parameters)])
    app.state.runtime = runtime
    app.state.service_name = spec.name  # GW-3: the signature names the service it was made for
    install_problem_handlers(app, public_prefix=f"/{spec.name}")  # GW-1 routes /<service>/*
    for router in spec.routers:
        app.include_router(router)
    app.include_router(clock_router)
    if handlers:
        app.include_router(parking_router)
    if handlers and spec.read_models:  # opt-in: a replay into undeclared read models would count twice
        app.include_router(replay_router)

    # issue 11: every status an operation can answer, and who may call it
    openapi.install(app, routers=[*spec.routers, clock_router, parking_router, replay_router])

    @app.get("/health", tags=["health"], summary="This service, its database and the broker")
    async def health() -> JSONResponse:
        body = await service_health(spec.name, runtime)
        return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)

    app.add_middleware(UnitOfWorkMiddleware, sessionmaker=sessionmaker)
    app.add_middleware(InputGuard)  # inside IdentityMiddleware: it reads the body that was verified
    app.add_middleware(
        IdentityMiddleware,
        key=settings.identity_key.get_secret_value().encode(),
        service=spec.name,
        max_skew_seconds=settings.identity_max_skew_seconds,
        max_body_bytes=settings.max_body_bytes,
    )
    app.add_middleware(RequestIdMiddleware)
    return app


async def service_health(name: str, runtime: Runtime) -> dict:
    database = {"ok": True}
    try:
        async with runtime.engine.connect() as connection:
            await asyncio.wait_for(connection.execute(text("SELECT 1")), timeout=2)
    except Exception as exc:
        database = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    broker_state: dict = {"ok": True}
    try:
        await asyncio.wait_for(broker.ping(runtime.settings.kafka_bootstrap_servers), timeout=3)
    except Exception as exc:
        broker_state = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    tasks = {name: supervised.status() for name, supervised in runtime.tasks.items()}
    relay = {"ok": runtime.relay.last_error is None and _alive(tasks, "relay"),
             "last_error": runtime.relay.last_error, "listening": runtime.relay.listening}
    if database["ok"]:
        relay["backlog"] = await runtime.relay.backlog()
    body = {"service": name, "restarts": runtime.settings.restarts, "database": database, "broker": broker_state,
            "relay": relay, "tasks": tasks}
    if runtime.consumer is not None:
        body["consumer"] = {
            "ok": runtime.consumer.last_error is None and _alive(tasks, "consumer"),
            "last_error": runtime.consumer.last_error,
            "topics": runtime.consumer.topics,
            "lag": await _lag(runtime.consumer),
            "replays": runtime.consumer.replays_total,
        }
        if database["ok"]:
            async with runtime.sessionmaker() as session:
                body["consumer"]["parked"] = await parking.count(session)
                # of which still within their wait for a fact: the consumer applies them itself
                body["consumer"]["awaiting"] = await parking.count_awaiting(
                    session, prefix=AWAITING, within_seconds=runtime.settings.wait_for_facts_seconds)
    parts = [database, broker_state, relay] + ([body["consumer"]] if "consumer" in body else [])
    healthy = all(p["ok"] for p in parts) and all(t["alive"] for t in tasks.values())
    body["status"] = "ok" if healthy else "degraded"
    return body


async def _lag(consumer: InboxConsumer) -> int | None:
    try:
        return await consumer.lag()
    except Exception:  # joining, rebalancing or disconnected: unknown, not an error
        return None


def _alive(tasks: dict[str, dict], name: str) -> bool:
    """A loop that is not running (before start-up, or dead) cannot be healthy."""
    return name in tasks and tasks[name]["alive"]
