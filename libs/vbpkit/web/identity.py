"""Who is calling: the principal the gateway forwards, signed (GW-3).

The gateway authenticates the client (API key), drops any identity header the
client sent, and forwards the principal as base64url JSON plus an HMAC-SHA256
signature over a timestamp, the method, the target service, the normalised upstream
path, the query, the SHA-256 of the body and that JSON. A service accepts a request
only with a valid, fresh signature made for it, so calling a service around the gateway
gets a 401, and a captured signature cannot carry another body, reach another service
or route, or be replayed long after.

The service reads the whole body before it verifies (``IdentityMiddleware``), refusing
one above ``max_body_bytes`` with a 413 as it arrives, and hands the bytes it verified
on to the application, so what was signed is exactly what is handled.
"""


import base64
import hashlib
import hmac
import json
import time
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, ValidationError

from vbpkit.web.problems import Problem, instance_of

PRINCIPAL_HEADER = "x-vbp-principal"
SIGNATURE_HEADER = "x-vbp-signature"
IDENTITY_HEADERS = (PRINCIPAL_HEADER, SIGNATURE_HEADER)


class Role(StrEnum):
    HOSPITAL = "hospital"
    EXCHANGE = "exchange"
    COMPANY = "company"
    INSURER = "insurer"
    ADMIN = "admin"


class Principal(BaseModel):
    """A caller: role, tenant (institution code, credit code or region code) and key id."""

    model_config = ConfigDict(frozen=True)

    role: Role
    tenant: str | None = None
    key_id: str

    @property
    def actor(self) -> str:
        """Who did something, as histories and signatures record it: ``role:key id``."""
        return f"{self.role.value}:{self.key_id}"


def _canonical(principal: Principal) -> str:
    raw = json.dumps(principal.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _mac(key: bytes, timestamp: int, method: str, service: str, path: str, query: str, body: bytes,
         encoded: str) -> str:
    digest = hashlib.sha256(body).hexdigest()
    message = f"v2\n{timestamp}\n{method.upper()}\n{service}\n{path}\n{query}\n{digest}\n{encoded}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sign(
    principal: Principal, *, key: bytes, method: str, service: str, path: str, query: str = "", body: bytes = b"",
    now: float | None = None,
) -> dict[str, str]:
    """Headers the gateway adds to a request it forwards to ``service``; ``query`` is the raw
    query string, signed too so that nobody between gateway and service can widen a tenant's
    filter, and ``body`` the exact bytes sent."""
    timestamp = int(now if now is not None else time.time())
    encoded = _canonical(principal)
    return {
        PRINCIPAL_HEADER: encoded,
        SIGNATURE_HEADER: f"t={timestamp},v2={_mac(key, timestamp, method, service, path, query, body, encoded)}",
    }


class InvalidSignature(Exception):
    pass


def verify(
    headers, *, key: bytes, method: str, service: str, path: str, query: str = "", body: bytes = b"",
    max_skew_seconds: int = 300, now: float | None = None,
) -> Principal:
    encoded = headers.get(PRINCIPAL_HEADER)
    signature = headers.get(SIGNATURE_HEADER)
    if not encoded or not signature:
        raise InvalidSignature("the request carries no signed principal; call through the gateway")
    try:
        fields = dict(part.split("=", 1) for part in signature.split(","))
        timestamp = int(fields["t"])
        given = fields["v2"]
    except (ValueError, KeyError):
        raise InvalidSignature("the principal signature is malformed (v2: service, path, query and body digest)"
                               ) from None
    if not given.isascii():
        raise InvalidSignature("the principal signature is malformed")
    current = now if now is not None else time.time()
    if abs(current - timestamp) > max_skew_seconds:
        raise InvalidSignature("the principal signature has expired")
    if not hmac.compare_digest(given, _mac(key, timestamp, method, service, path, query, body, encoded)):
        raise InvalidSignature("the principal signature is not valid for this service, request and body")
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        return Principal.model_validate_json(raw)
    except (ValueError, ValidationError):
        raise InvalidSignature("the signed principal is malformed") from None


class BodyTooLarge(Exception):
    pass


async def read_body(scope, receive, *, limit: int) -> bytes:
    """The whole request body, refused (BodyTooLarge) as soon as it is known to pass ``limit``."""
    declared = dict(scope["headers"]).get(b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def replaying(body: bytes, receive):
    """A ``receive`` that hands ``body`` over once, then whatever the connection says next."""
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()
    return replay


def too_large(limit: int) -> Problem:
    return Problem(413, "body-too-large", "Request body too large",
                   f"the request body is larger than {limit:,} bytes; split it (bulk endpoints take 10,000 rows a call)",
                   errors=[{"field": "body", "reason": f"more than {limit:,} bytes"}])


class IdentityMiddleware:
    """Pure ASGI: every request but the open paths must carry a valid signed principal made
    for this ``service``, this request and its body; the body it verified is in
    ``scope["state"]["body"]`` for the guards after it."""

    def __init__(self, app, *, key: bytes, service: str, open_paths: frozenset[str] = frozenset({"/health"}),
                 max_skew_seconds: int = 300, max_body_bytes: int = 16 * 1024 * 1024):
        self.app = app
        self._key = key
        self._service = service
        self._open = open_paths
        self._skew = max_skew_seconds
        self._limit = max_body_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] in self._open:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            body = await read_body(scope, receive, limit=self._limit)
        except BodyTooLarge:
            await too_large(self._limit).to_response(instance_of(scope))(scope, receive, send)
            return
        try:
            principal = verify(
                headers, key=self._key, method=scope["method"], service=self._service, path=scope["path"],
                query=scope.get("query_string", b"").decode("latin-1"), body=body, max_skew_seconds=self._skew,
            )
        except InvalidSignature as exc:
            problem = Problem(401, "unauthenticated", "Not authenticated", str(exc))
            await problem.to_response(instance_of(scope))(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["principal"], state["body"] = principal, body
        await self.app(scope, replaying(body, receive), send)


async def get_principal(request: Request) -> Principal:
    principal = getattr(request.state, "principal", None)
    if principal is None:
        raise Problem(401, "unauthenticated", "Not authenticated", "no principal on this request")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: Role):
    """Dependency: the service's own check of GW-5 (the gateway checks first)."""
    allowed = frozenset(roles) | {Role.ADMIN}

    async def check(principal: PrincipalDep) -> Principal:
        if principal.role not in allowed:
            raise Problem(
                403, "forbidden", "Forbidden",
                f"role {principal.role.value} may not do this; allowed: {', '.join(sorted(r.value for r in allowed))}",
            )
        return principal

    check.allowed_roles = allowed  # read by the test that keeps the gateway's table in step
    return Depends(check)
