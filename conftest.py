"""Test infrastructure: a real PostgreSQL and a real Kafka-protocol broker, never mocks.

By default both are embedded (pgserver, Tansu) and started once per run; set
``VBP_TEST_DATABASE_URL`` (a server URI, e.g. postgresql://postgres@127.0.0.1:5432/postgres)
or ``VBP_TEST_KAFKA_BOOTSTRAP_SERVERS`` to use servers of your own. Every test that
needs a database gets a new one, so tests never see each other's rows.
"""

from __future__ import annotations

import contextlib
import os
import uuid

import httpx
import pytest

from testsupport import ADMIN, IDENTITY_KEY, SignedClient
from vbpkit.web.identity import Principal
from vbptools.embedded import EmbeddedBroker, EmbeddedPostgres, ensure_databases, server_url_to_async, wait_for_broker


def _ports_of_this_worker() -> None:
    """Parallel workers (pytest-xdist) each start servers — PostgreSQL, brokers, whole platforms
    — on ports found free at that moment: each takes its own slice of the range, so two never
    pick the same port at once (vbptools.embedded.free_port_block)."""
    worker, count = os.environ.get("PYTEST_XDIST_WORKER"), int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if worker and count > 1 and "VBP_PORT_RANGE" not in os.environ:
        width = (32_000 - 10_000) // count
        first = 10_000 + int(worker.removeprefix("gw")) * width
        os.environ["VBP_PORT_RANGE"] = f"{first}-{first + width - 1}"


_ports_of_this_worker()


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory) -> str:
    configured = os.environ.get("VBP_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "data")
    yield server.start()
    server.stop()


@pytest.fixture(scope="session")
async def kafka(tmp_path_factory) -> EmbeddedBroker | str:
    """The test-owned broker; tests that stop or restart it use their own (``fresh_broker``)."""
    configured = os.environ.get("VBP_TEST_KAFKA_BOOTSTRAP_SERVERS")
    if configured:
        yield configured
        return
    broker = EmbeddedBroker(log_path=tmp_path_factory.mktemp("tansu") / "tansu.log")
    broker.start()
    await wait_for_broker(broker.bootstrap_servers)
    yield broker.bootstrap_servers
    broker.stop()


@pytest.fixture
async def fresh_broker(tmp_path):
    """A broker this test may stop, kill and restart (always embedded Tansu)."""
    broker = EmbeddedBroker(log_path=tmp_path / "tansu.log")
    broker.start()
    await wait_for_broker(broker.bootstrap_servers)
    yield broker
    broker.stop()


@pytest.fixture
def new_database(pg_server):
    """Factory: a brand-new empty database; returns its SQLAlchemy asyncpg URL."""

    async def make(label: str = "t") -> str:
        name = f"test_{label}_{uuid.uuid4().hex[:10]}"
        await ensure_databases(pg_server, [name])
        return server_url_to_async(pg_server, name)

    return make


@pytest.fixture
async def service_client(new_database, kafka):
    """Factory: run a service app in-process (lifespan, migrations, relay, consumer) on a new database."""
    stack = contextlib.AsyncExitStack()

    async def make(create_app, settings_cls, *, principal: Principal = ADMIN, **overrides):
        settings = settings_cls(
            database_url=await new_database(settings_cls.model_config["env_prefix"].lower().rstrip("_")),
            kafka_bootstrap_servers=kafka,
            identity_key=IDENTITY_KEY,
            **overrides,
        )
        app = create_app(settings)
        await stack.enter_async_context(app.router.lifespan_context(app))
        client = SignedClient(
            transport=httpx.ASGITransport(app=app), base_url="http://service", principal=principal
        )
        await stack.enter_async_context(client)
        client.app = app
        return client

    yield make
    await stack.aclose()


# The files that take longest (a whole platform each, or many), run first: with one worker per
# core (``make test``) the short files then fill in around them, and no worker ends the run
# alone on a long file. The order of everything else is unchanged.
LONGEST_FIRST = ("tests/platform/test_chaos_run.py", "tests/platform/test_api_fuzz.py", "tests/tools/test_demo_story.py",
                 "tests/platform/test_no_event_lost.py", "tests/platform/test_readme_runs.py",
                 "tests/platform/test_platform_heals.py", "tests/tools/test_vbp_cli.py")


def pytest_collection_modifyitems(config, items):
    rank = {path: index for index, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))
