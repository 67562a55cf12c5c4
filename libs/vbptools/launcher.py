"""``make run``: the whole platform on one machine.

With no ``VBP_DATABASE_URL`` it starts an embedded PostgreSQL whose data stays in
``VBP_DATA_DIR``; with no ``VBP_KAFKA_BOOTSTRAP_SERVERS`` an embedded Tansu broker
(memory only: its events are republished from the outboxes after each start). Then
each service and the gateway run as their own uvicorn process — as they do in
production, one container each — and Ctrl-C or SIGTERM stops all of them.

The launcher supervises them as a container runtime would (``restart: unless-stopped``): a
service or the gateway that dies is started again after a backoff (0.5 s, doubling to
``VBP_RESTART_MAX_BACKOFF_SECONDS``, reset once it is healthy again), with its restart count in
its ``/health``; the rest of the platform keeps running. Events written meanwhile wait in
the outboxes; a request to the dead service gets a 502 the client retries.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import logging
import time
from pathlib import Path

import httpx
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from vbpkit.runtime.topology import SERVICES
from vbptools.embedded import (
    EmbeddedBroker, EmbeddedPostgres, die_with_parent, ensure_databases, server_url_to_async, wait_for_broker,
)

# Each service's composition root, by the layout every service shares (services/<name>/vbp_<name>/main.py).
APPS = {name: f"vbp_{name}.main:create_app" for name in SERVICES}
GATEWAY = "vbp_gateway.main:create_app"
log = logging.getLogger("vbptools.launcher")


def demo_banner(data_dir: Path) -> str:
    """What ``make demo`` says before telling its story: the wait only on a first start (issue 23)."""
    if (data_dir / "demo-keys.json").exists():
        return "telling the demo story through the API (told before: checking it is all there)…"
    return "telling the demo story through the API (a first start takes a few minutes)…"


class PortTaken(Exception):
    """A port the platform listens on is in use: said before anything starts (issue 23, item 6)."""


def ports_taken(settings: "PlatformSettings") -> str | None:
    """What to tell the user when a port the platform needs is taken, or None."""
    wanted = [("the gateway", settings.gateway_port, "VBP_GATEWAY_PORT")]
    wanted += [(f"{name}", settings.first_service_port + index, "VBP_FIRST_SERVICE_PORT")
               for index, name in enumerate(SERVICES)]
    if not settings.kafka_bootstrap_servers:
        wanted.append(("the embedded broker", settings.kafka_port, "VBP_KAFKA_PORT"))
    for what, port, variable in wanted:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((settings.host, port))
            except OSError:
                return (f"port {port} ({what}) on {settings.host} is taken — is the platform already running "
                        f"(make run or make demo)? Stop it, or set {variable} to another port")
    return None


class PlatformSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VBP_", extra="ignore")

    data_dir: Path = Field(default=Path(".vbp-data"), description="everything kept between runs")
    database_url: str | None = Field(
        default=None, description="a PostgreSQL server (postgresql://user:pw@host:port/postgres); "
        "one database per service is created on it. Empty: embedded PostgreSQL",
    )
    database_prefix: str = "vbp_"
    kafka_bootstrap_servers: str | None = Field(default=None, description="empty: embedded Tansu broker")
    kafka_port: int = 19092
    host: str = "127.0.0.1"
    gateway_port: int = 8000
    first_service_port: int = 8001
    identity_key: str | None = None
    admin_api_key: str | None = None
    clock: str | None = None
    demo_data: bool = False
    demo_story: bool = Field(default=False, description="make demo: tell half a year through the API on a frozen "
                             "clock (vbptools.demo.story); VBP_CLOCK must be frozen")
    log_level: str = "INFO"
    redis_url: str | None = Field(default=None, description="GW-4: keep the gateway's rate limits in this Redis; "
                                  "empty: in the gateway's memory")
    restart_max_backoff_seconds: float = Field(default=30.0, gt=0, description=(
        "a dead service is restarted after 0.5 s, doubling up to this while it keeps dying"))


class Platform:
    def __init__(self, settings: PlatformSettings):
        self.settings = settings
        self.postgres: EmbeddedPostgres | None = None
        self.broker: EmbeddedBroker | None = None
        self.processes: dict[str, subprocess.Popen] = {}
        self._commands: dict[str, tuple[str, int, dict[str, str]]] = {}
        self.service_urls: dict[str, str] = {}
        self.database_urls: dict[str, str] = {}
        self.admin_api_key = ""
        self.demo_keys: dict[str, str] = {}
        self.restarts: dict[str, int] = {}

    def _secrets(self) -> tuple[str, str]:
        path = self.settings.data_dir / "secrets.json"
        stored = json.loads(path.read_text()) if path.exists() else {}
        stored.setdefault("identity_key", secrets.token_urlsafe(32))
        stored.setdefault("admin_api_key", "vbp_admin_" + secrets.token_urlsafe(32))
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
        return (self.settings.identity_key or stored["identity_key"],
                self.settings.admin_api_key or stored["admin_api_key"])

    async def start(self) -> None:
        s = self.settings
        s.data_dir.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        server_uri = s.database_url
        if not server_uri:
            self.postgres = EmbeddedPostgres(s.data_dir / "pg")
            server_uri = await asyncio.to_thread(self.postgres.start)
        databases = {name: f"{s.database_prefix}{name}" for name in [*SERVICES, "gateway"]}
        await ensure_databases(server_uri, list(databases.values()))
        self.database_urls = {name: server_url_to_async(server_uri, db) for name, db in databases.items()}
        bootstrap = s.kafka_bootstrap_servers
        if not bootstrap:
            self.broker = EmbeddedBroker(s.host, s.kafka_port, log_path=s.data_dir / "tansu.log")
            bootstrap = await asyncio.to_thread(self.broker.start)
        await wait_for_broker(bootstrap)
        identity_key, self.admin_api_key = self._secrets()
        self.identity_key = identity_key

        # Other <SERVICE>_… settings in the environment reach their service; what the
        # launcher sets below wins over the environment.
        base_env = dict(os.environ)
        urls = {}
        for index, (name, factory) in enumerate(APPS.items()):
            port = s.first_service_port + index
            urls[name] = self.service_urls[name] = f"http://{s.host}:{port}"
            prefix = name.upper() + "_"
            env = {**base_env, prefix + "DATABASE_URL": self.database_urls[name],
                   prefix + "KAFKA_BOOTSTRAP_SERVERS": bootstrap, prefix + "IDENTITY_KEY": identity_key,
                   prefix + "LOG_LEVEL": s.log_level}
            if s.clock:
                env[prefix + "CLOCK"] = s.clock
            self._spawn(name, factory, port, env)
        await asyncio.gather(*(self._wait_healthy(n, u + "/health") for n, u in urls.items()))
        gateway_env = {
            **base_env,
            "GATEWAY_DATABASE_URL": self.database_urls["gateway"],
            "GATEWAY_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "GATEWAY_IDENTITY_KEY": identity_key,
            "GATEWAY_ADMIN_API_KEY": self.admin_api_key,
            **{f"GATEWAY_{n.upper()}_URL": u for n, u in urls.items()},
            **({"GATEWAY_REDIS_URL": s.redis_url} if s.redis_url else {}),
        }
        self._spawn("gateway", GATEWAY, s.gateway_port, gateway_env)
        await self._wait_healthy("gateway", f"{self.gateway_url}/health")
        self.startup_seconds = time.monotonic() - started
        if s.demo_data:
            await self._load_demo_data()
        if s.demo_story:
            await self._tell_demo_story()

    @property
    def gateway_url(self) -> str:
        return f"http://{self.settings.host}:{self.settings.gateway_port}"

    async def restart(self, name: str) -> None:
        """Start a process again that was stopped or killed (operations, and the no-loss tests)."""
        process = self.processes[name]
        if process.poll() is None:
            process.terminate()
            process.wait(15)
        self._spawn(name, *self._commands[name])
        url = self.gateway_url if name == "gateway" else self.service_urls[name]
        await self._wait_healthy(name, url + "/health")

    async def supervise(self, stop: asyncio.Event, *, poll_seconds: float = 0.5) -> None:
        """Until ``stop``: start again each process that died, after a backoff that doubles while
        it keeps failing to come back healthy; never stop the rest of the platform for it."""
        failures: dict[str, int] = {}
        due: dict[str, float] = {}
        while not stop.is_set():
            for name, process in list(self.processes.items()):
                if process.poll() is None or stop.is_set():
                    continue
                now = time.monotonic()
                if name not in due:
                    delay = min(self.settings.restart_max_backoff_seconds, 0.5 * 2 ** failures.get(name, 0))
                    due[name] = now + delay
                    log.warning("%s exited with code %s; starting it again in %.1f s", name, process.returncode, delay)
                if now < due[name]:
                    continue
                del due[name]
                self.restarts[name] = self.restarts.get(name, 0) + 1
                factory, port, env = self._commands[name]
                prefix = "GATEWAY_" if name == "gateway" else name.upper() + "_"
                self._spawn(name, factory, port, {**env, prefix + "RESTARTS": str(self.restarts[name])})
                url = self.gateway_url if name == "gateway" else self.service_urls[name]
                try:
                    await self._wait_healthy(name, url + "/health")
                    failures[name] = 0
                    log.warning("%s is back (restart %d)", name, self.restarts[name])
                except (RuntimeError, TimeoutError) as exc:
                    failures[name] = failures.get(name, 0) + 1
                    log.error("%s did not come back: %s", name, exc)
            try:
                await asyncio.wait_for(stop.wait(), timeout=poll_seconds)
            except asyncio.TimeoutError:
                pass

    def _spawn(self, name: str, factory: str, port: int, env: dict[str, str]) -> None:
        self._commands[name] = (factory, port, env)
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", factory, "--factory", "--host", self.settings.host, "--port", str(port),
             "--no-access-log", "--log-level", self.settings.log_level.lower(), "--timeout-graceful-shutdown", "10",
             # longer than the gateway keeps an idle pooled connection (15 s): the gateway, not the
             # service, closes it, so no request is sent on a connection the service is closing
             "--timeout-keep-alive", "75"],
            env=env, stdin=subprocess.DEVNULL, preexec_fn=die_with_parent,
        )

    async def _wait_healthy(self, name: str, url: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as client:
            while True:
                process = self.processes[name]
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with code {process.returncode} while starting")
                try:
                    response = await client.get(url, timeout=5)
                    if response.status_code == 200 and response.json().get("status") == "ok":
                        return
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} did not become healthy within {timeout}s")
                await asyncio.sleep(0.2)

    async def _load_demo_data(self) -> None:
        from vbptools import demo

        async with httpx.AsyncClient(base_url=self.gateway_url, headers={"X-API-Key": self.admin_api_key},
                                     timeout=60) as client:
            await demo.load(client)

    async def _tell_demo_story(self) -> None:
        from vbptools.demo import story

        if not (self.settings.clock or "").startswith("frozen:"):
            raise RuntimeError("the demo story moves the clock: start it with VBP_CLOCK=frozen:2023-01-16T09:00 "
                               "(make demo does)")
        print(demo_banner(self.settings.data_dir), flush=True)
        async with httpx.AsyncClient(base_url=self.gateway_url, headers={"X-API-Key": self.admin_api_key},
                                     timeout=120) as client:
            self.demo_keys = await story.tell(client, self.settings.data_dir)

    def stop(self) -> None:
        for name in ["gateway", *reversed(SERVICES)]:
            process = self.processes.get(name)
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
        if self.broker is not None:
            self.broker.stop()
        if self.postgres is not None:
            self.postgres.stop()


async def serve(settings: PlatformSettings) -> None:
    taken = ports_taken(settings)
    if taken:  # before anything starts: not a traceback from a service that could not listen
        raise PortTaken(taken)
    platform = Platform(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        starting = asyncio.create_task(platform.start())
        stopping = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if starting in done:
            starting.result()
            print(
                f"\nVBP platform is up in {platform.startup_seconds:.1f}s\n"
                f"  gateway  {platform.gateway_url}   (docs: {platform.gateway_url}/docs)\n"
                f"  admin API key: {platform.admin_api_key}\n"
                f"  data kept in {settings.data_dir.resolve()}\n"
                "Ctrl-C stops everything.\n",
                flush=True,
            )
            if settings.demo_story:
                from vbptools.demo.story import guide

                print(guide(platform.gateway_url, platform.demo_keys), flush=True)
            await platform.supervise(stop)
        else:
            starting.cancel()
    finally:
        print("stopping the platform…", flush=True)
        await asyncio.to_thread(platform.stop)
        print("stopped.", flush=True)


def main() -> None:
    try:
        asyncio.run(serve(PlatformSettings()))
    except PortTaken as taken:
        print(f"vbp: {taken}", file=sys.stderr, flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
