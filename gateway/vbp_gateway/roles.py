"""GW-5: which roles may call which route of a service — read from the service's own document.

Every operation a service publishes in its ``/openapi.json`` carries ``x-roles``: the roles its
own ``require_roles`` check lets through (``vbpkit.web.openapi`` reads them from that very
dependency, so the document cannot drift from the check). The gateway builds its table from
those documents and nothing else — one source of truth — so a route a service adds is checked
here as soon as the service serves it, with no change to the gateway.

When it is read: at start-up, from every service at once; a service not up yet (``make run``
starts the gateway while services may still be migrating; compose restarts them in any order)
is asked again with backoff (0.5 s, doubling) until it answers; and every service is read
again every ``GATEWAY_ROLES_REFRESH_SECONDS``, so a role a service changes is checked here within
that time.

A request whose route the table does not know (the service was unreachable so far, or was
deployed with a new route since it was last read) makes the gateway read that service's document
again — at most once per ``GATEWAY_ROLES_MISS_REFRESH_SECONDS``, and one read for all the
requests waiting on it — and look again. If the route is still unknown, the request is
forwarded and **the service decides**. That is safe, and a 503 would not be better:

- the table is a copy of what each service enforces itself (``require_roles``, behind a
  signature only the gateway can make, GW-3), so it can never refuse what the service would
  allow nor allow what the service refuses; the gateway's check is defence in depth and an
  early refusal that spares the service the body, never the only one;
- a route missing from a document the gateway holds is one the service does not publish: the
  service answers it 404 or 405 (or applies its own check to a route it hides);
- a service whose document cannot be read is down (forwarding answers 502 as GW-1 says, the
  truthful status) or serves a broken document — a 503 would then refuse every request to a
  service that may answer them, for a fault in its documentation.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from vbpkit.web.identity import Role

log = logging.getLogger(__name__)
DOCUMENTED_METHODS = frozenset({"get", "put", "post", "delete", "patch", "options", "head", "trace"})
_PARAMETER = re.compile(r"\{[^}/]+\}")


@dataclass
class RouteNode:
    """One path segment of a service's published routes: a literal, or a pattern with parameters."""

    literals: dict[str, RouteNode] = field(default_factory=dict)
    patterns: list[tuple[re.Pattern[str], RouteNode]] = field(default_factory=list)
    roles: dict[str, frozenset[Role]] = field(default_factory=dict)  # method → who may call it

    def child(self, segment: str) -> RouteNode:
        if not _PARAMETER.search(segment):
            return self.literals.setdefault(segment, RouteNode())
        pattern = segment_pattern(segment)
        for known, node in self.patterns:
            if known.pattern == pattern.pattern:
                return node
        self.patterns.append((pattern, RouteNode()))
        return self.patterns[-1][1]

    def find(self, segments: list[str], method: str) -> frozenset[Role] | None:
        """The roles of the most specific route for ``segments`` with ``method``: a literal
        segment is tried before a parameter (``/orders/bulk`` before ``/orders/{order_id}``)."""
        if not segments:
            return self.roles.get(method)
        head, rest = segments[0], segments[1:]
        literal = self.literals.get(head)
        if literal is not None:
            found = literal.find(rest, method)
            if found is not None:
                return found
        for pattern, node in self.patterns:
            if pattern.fullmatch(head):
                found = node.find(rest, method)
                if found is not None:
                    return found
        return None


def segment_pattern(segment: str) -> re.Pattern[str]:
    """A template segment as a pattern: each ``{parameter}`` matches within the one segment, as
    Starlette's default convertor does; the text around it must be there as it is."""
    parts = _PARAMETER.split(segment)
    return re.compile("[^/]+".join(re.escape(part) for part in parts))


def routes_of(document: dict) -> RouteNode:
    """The routes a service publishes, each method with its ``x-roles`` (a role name the gateway
    does not know is left out; an operation without ``x-roles`` is left to the service)."""
    root = RouteNode()
    known = {role.value for role in Role}
    for template, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        node = root
        for segment in template.split("/")[1:]:
            node = node.child(segment)
        for method, operation in item.items():
            if method in DOCUMENTED_METHODS and isinstance(operation, dict) and "x-roles" in operation:
                node.roles[method.upper()] = frozenset(Role(r) for r in operation["x-roles"] if r in known)
    return root


class RoleTable:
    """(service, method, path) → the roles that may call it, as each service publishes them."""

    def __init__(self, fetch: Callable[[str], Awaitable[dict | None]], services: Iterable[str], *,
                 miss_refresh_seconds: float):
        self._fetch = fetch
        self._services = tuple(services)
        self._miss_refresh_seconds = miss_refresh_seconds
        self._routes: dict[str, RouteNode] = {}
        self._asked_at: dict[str, float] = {}
        self._reading: dict[str, asyncio.Task] = {}

    def known(self) -> frozenset[str]:
        """The services whose document the table holds."""
        return frozenset(self._routes)

    def roles_for(self, service: str, method: str, path: str) -> frozenset[Role] | None:
        """Who may call the route, or None when the table does not know it. HEAD is asked as GET."""
        routes = self._routes.get(service)
        if routes is None:
            return None
        return routes.find(path.split("/")[1:], "GET" if method == "HEAD" else method)

    async def allowed(self, service: str, method: str, path: str) -> frozenset[Role] | None:
        """As ``roles_for``; a route it does not know makes it read the service again first."""
        roles = self.roles_for(service, method, path)
        if roles is None:
            await self.refresh(service, on_miss=True)
            roles = self.roles_for(service, method, path)
        return roles

    async def refresh(self, service: str, *, on_miss: bool = False) -> None:
        """Read ``service``'s document again. Whoever asks while a read is under way waits for
        that read; on a miss, a service read less than ``miss_refresh_seconds`` ago is not read
        again (an unknown path is cheap to send, a document is not)."""
        reading = self._reading.get(service)
        if reading is None:
            last = self._asked_at.get(service)
            if on_miss and last is not None and time.monotonic() - last < self._miss_refresh_seconds:
                return
            self._asked_at[service] = time.monotonic()
            reading = self._reading[service] = asyncio.create_task(self._read(service))
            reading.add_done_callback(lambda _: self._reading.pop(service, None))
        await asyncio.shield(reading)  # a caller that goes away does not end the read for the others

    async def _read(self, service: str) -> None:
        try:
            document = await self._fetch(service)
            if document is not None:
                self._routes[service] = routes_of(document)
        except Exception:  # a document the table cannot read is one it does not have
            log.exception("the role table could not read the document of %s", service)

    async def load(self) -> None:
        """Read every service once, all at the same time."""
        await asyncio.gather(*(self.refresh(service) for service in self._services))

    async def keep_current(self, every_seconds: float) -> None:
        """Read the services not known yet with backoff until they answer, then all of them every
        ``every_seconds``; never returns (a supervised loop)."""
        backoff = 0.5
        while True:
            missing = [s for s in self._services if s not in self._routes]
            if missing:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, every_seconds)
                await asyncio.gather(*(self.refresh(service) for service in missing))
            else:
                backoff = 0.5
                await asyncio.sleep(every_seconds)
                await self.load()

    async def close(self) -> None:
        """End the reads under way (at shutdown, before the HTTP client closes)."""
        for reading in list(self._reading.values()):
            reading.cancel()
        await asyncio.gather(*self._reading.values(), return_exceptions=True)
