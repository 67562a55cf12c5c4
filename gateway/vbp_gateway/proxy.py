"""GW-1/GW-3/GW-5: the proxy in front of the services, as a plain ASGI app.

A request under ``/<service>/`` is authenticated, checked against the role table the services
publish (``vbp_gateway.roles``; a route it does not know is left to the service), and forwarded
with the principal signed for that service, path, query and body (GW-3). The path is normalised
first (``//``, ``.`` and ``..`` segments resolved), so what is routed, checked and signed is what
the service receives; a control character in it is a 400. The request body is read whole (up to
``max_body_bytes``, else 413) because its SHA-256 is signed; the response body is streamed.
Everything else (admin, health, docs) falls through to the gateway's FastAPI app.

Why not a FastAPI route: the proxy is on every request's path, and measured with
py-spy under ``bench/gateway_cost.py`` the route machinery (dependency solving, a
Request object, Starlette's StreamingResponse with its task group) cost about as much
as forwarding itself. Here the path is parsed once and the upstream response is
relayed chunk by chunk straight to the ASGI ``send``.
"""

from __future__ import annotations

import logging
import posixpath
import re
from urllib.parse import quote

import httpx
from fastapi import APIRouter

from vbp_gateway.auth import authenticate, client_address
from vbp_gateway.bearer import BearerVerifier
from vbp_gateway.keys.store import KeyStore
from vbp_gateway.ratelimit import RateLimits
from vbp_gateway.roles import RoleTable
from vbpkit.runtime.topology import SERVICES
from vbpkit.web import identity
from vbpkit.web.identity import BodyTooLarge, Principal, read_body, too_large
from vbpkit.web.problems import Problem, database_unreachable, unavailable
from vbpkit.web.request_id import current as current_request_id

log = logging.getLogger(__name__)

HOP_BY_HOP = frozenset({
    b"connection", b"keep-alive", b"proxy-authenticate", b"proxy-authorization", b"te", b"trailer",
    b"transfer-encoding", b"upgrade", b"host", b"content-length",
})
DROPPED = HOP_BY_HOP | {b"authorization", b"x-api-key", b"x-request-id",
                        *(h.encode() for h in identity.IDENTITY_HEADERS)}
BODYLESS = frozenset({"GET", "HEAD", "OPTIONS"})
# the gateway's own server adds these: one of each (issue 11)
UPSTREAM_ONLY = HOP_BY_HOP | {b"x-request-id", b"server", b"date"}
PATH_SAFE = "/-._~!$&'()*+,;=:@"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def normalised_path(path: str) -> str:
    """The path with ``//``, ``.`` and ``..`` resolved (never above the root); a trailing
    slash is kept. A control character is refused: no URL can carry it upstream."""
    control = _CONTROL.search(path)
    if control:
        raise Problem(400, "invalid-path", "Invalid path",
                      f"the path contains the control character U+{ord(control.group()):04X}",
                      errors=[{"field": "path", "reason": f"control character U+{ord(control.group()):04X}"}])
    resolved = posixpath.normpath("/" + path.lstrip("/"))
    if path.endswith("/") and resolved != "/":
        resolved += "/"
    return resolved


class ServiceProxy:
    def __init__(self, app, *, clients: dict[str, httpx.AsyncClient], store: KeyStore, identity_key: bytes,
                 roles: RoleTable, limits: RateLimits | None = None, bearer: BearerVerifier | None = None,
                 max_body_bytes: int = 16 * 1024 * 1024):
        self.app = app
        self._roles = roles
        self._limits = limits
        self._bearer = bearer
        self._clients = clients
        self._store = store
        self._key = identity_key
        self._limit = max_body_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            path = normalised_path(scope["path"])
        except Problem as problem:
            await problem.to_response(None)(scope, receive, send)
            return
        service, _, rest = path[1:].partition("/")
        if service not in self._clients:
            await self.app(scope if path == scope["path"] else {**scope, "path": path}, receive, send)
            return
        try:
            await self._forward(scope, receive, send, service, "/" + rest)
        except Problem as problem:
            await problem.to_response(path)(scope, receive, send)
        except Exception as exc:
            # the key store is the gateway's database: read before anything is forwarded or sent
            if not database_unreachable(exc):
                raise
            log.warning("database unreachable checking the key for %s %s: %s", scope["method"], path,
                        type(exc).__name__)
            await unavailable(path)(scope, receive, send)

    @staticmethod
    async def _send(client: httpx.AsyncClient, upstream: httpx.Request, service: str, *, retry: bool):
        """Send once more on a connection reset before any answer (a pooled connection the service
        closed as it was reused), when sending again cannot do a thing twice."""
        for attempt in (1, 2):
            try:
                return await client.send(upstream, stream=True)
            except httpx.TimeoutException:
                raise Problem(504, detail=f"the {service} service did not answer in time") from None
            except (*RESET, AttributeError) as exc:
                # AttributeError: a connection the service closed as it was opened (a SIGKILL): anyio
                # asks the closed socket for its peer while httpcore reads its TLS state, before a
                # byte of the request is written ('NoneType' object has no attribute 'getpeername';
                # found by bench/chaos.py as a 500) — a reset like the others
                if attempt == 1 and retry:
                    continue
                raise Problem(502, detail=f"the {service} service is unreachable ({type(exc).__name__})") from None
            except httpx.HTTPError as exc:
                raise Problem(502, detail=f"the {service} service is unreachable ({type(exc).__name__})") from None

    async def _forward(self, scope, receive, send, service: str, path: str) -> None:
        principal = await authenticate(self._store, dict(scope["headers"]), limits=self._limits,
                                       address=client_address(scope), bearer=self._bearer)
        scope.setdefault("state", {})["principal"] = principal  # for the audit trail
        verdict = await self._limits.for_principal(principal) if self._limits is not None else None
        if verdict is not None and not verdict.allowed:
            raise verdict.problem(f"key {principal.key_id} ({principal.role.value}) made more than {verdict.limit} "
                                  f"requests in its window; retry after {verdict.reset_seconds} s")
        try:
            await self._relay(scope, receive, send, service, path, principal, verdict)
        except Problem as problem:  # a refusal counts against the window too: say where it stands
            if verdict is not None:
                problem.headers = {**dict((k.decode(), v.decode()) for k, v in verdict.headers()),
                                   **(problem.headers or {})}
            raise

    async def _relay(self, scope, receive, send, service: str, path: str, principal: Principal, verdict) -> None:
        method = scope["method"]
        headers = dict(scope["headers"])
        allowed = await self._roles.allowed(service, method, path)
        if allowed is not None and principal.role not in allowed:  # GW-5; unknown: the service decides
            raise Problem(403, detail=f"role {principal.role.value} may not {method} /{service}{path}")
        query = scope.get("query_string", b"").decode("latin-1")
        try:
            body = b"" if method in BODYLESS else await read_body(scope, receive, limit=self._limit)
        except BodyTooLarge:
            raise too_large(self._limit) from None
        forwarded = [(k, v) for k, v in scope["headers"] if k.lower() not in DROPPED]
        forwarded += [(k.encode(), v.encode()) for k, v in identity.sign(
            principal, key=self._key, method=method, service=service, path=path, query=query, body=body).items()]
        forwarded.append((b"x-request-id", current_request_id.get().encode()))
        client = self._clients[service]
        # the raw query string is forwarded untouched: it is what the signature covers; the path
        # is encoded again so that the service decodes exactly the path that was signed
        upstream = client.build_request(
            method, httpx.URL(quote(path, safe=PATH_SAFE), query=query.encode("latin-1") or None), headers=forwarded,
            content=None if method in BODYLESS else body,
        )
        response = await self._send(client, upstream, service, retry=_retryable(method, headers))
        try:
            await send({
                "type": "http.response.start",
                "status": response.status_code,
                "headers": [(k, v) for k, v in response.headers.raw if k.lower() not in UPSTREAM_ONLY]
                + (verdict.headers() if verdict is not None else []),
            })
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()


RESET = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


def _retryable(method: str, headers: dict[bytes, bytes]) -> bool:
    """Idempotent by HTTP (GET, HEAD, OPTIONS, PUT, DELETE) or by an Idempotency-Key (DESIGN §5)."""
    return method in ("GET", "HEAD", "OPTIONS", "PUT", "DELETE") or b"idempotency-key" in headers


unknown_services = APIRouter()


@unknown_services.api_route("/{service}/{path:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
                            include_in_schema=False)
async def unknown_service(service: str, path: str):
    # the proxy in front has taken every known service's paths
    raise Problem(404, detail=f"no service {service!r}; the services are {', '.join(SERVICES)}")
