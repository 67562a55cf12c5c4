"""Who is calling: the principal the gateway forwards, signed (GW-3).

The gateway authenticates the client (API key), drops any identity header the
client sent, and forwards the principal as base64url JSON plus an HMAC-SHA256
signature over a timestamp, the method, the upstream path and that JSON. A service
accepts a request only with a valid, fresh signature, so calling a service around
the gateway gets a 401, and a signed header cannot be replayed on another route or
long after.
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

from vbpkit.problems import Problem, instance_of

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


def _mac(key: bytes, timestamp: int, method: str, path: str, query: str, encoded: str) -> str:
    message = f"v1\n{timestamp}\n{method.upper()}\n{path}\n{query}\n{encoded}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sign(
    principal: Principal, *, key: bytes, method: str, path: str, query: str = "", now: float | None = None
) -> dict[str, str]:
    """Headers the gateway adds to a forwarded request; ``query`` is the raw query string,
    signed too so that nobody between gateway and service can widen a tenant's filter."""
    timestamp = int(now if now is not None else time.time())
    encoded = _canonical(principal)
    return {
        PRINCIPAL_HEADER: encoded,
        SIGNATURE_HEADER: f"t={timestamp},v1={_mac(key, timestamp, method, path, query, encoded)}",
    }


class InvalidSignature(Exception):
    pass


def verify(
    headers, *, key: bytes, method: str, path: str, query: str = "", max_skew_seconds: int = 300,
    now: float | None = None,
) -> Principal:
    encoded = headers.get(PRINCIPAL_HEADER)
    signature = headers.get(SIGNATURE_HEADER)
    if not encoded or not signature:
        raise InvalidSignature("the request carries no signed principal; call through the gateway")
    try:
        fields = dict(part.split("=", 1) for part in signature.split(","))
        timestamp = int(fields["t"])
        given = fields["v1"]
    except (ValueError, KeyError):
        raise InvalidSignature("the principal signature is malformed") from None
    if not given.isascii():
        raise InvalidSignature("the principal signature is malformed")
    current = now if now is not None else time.time()
    if abs(current - timestamp) > max_skew_seconds:
        raise InvalidSignature("the principal signature has expired")
    if not hmac.compare_digest(given, _mac(key, timestamp, method, path, query, encoded)):
        raise InvalidSignature("the principal signature is not valid")
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        return Principal.model_validate_json(raw)
    except (ValueError, ValidationError):
        raise InvalidSignature("the signed principal is malformed") from None


class IdentityMiddleware:
    """Pure ASGI: every request but the open paths must carry a valid signed principal."""

    def __init__(self, app, *, key: bytes, open_paths: frozenset[str] = frozenset({"/health"}), max_skew_seconds: int = 300):
        self.app = app
        self._key = key
        self._open = open_paths
        self._skew = max_skew_seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] in self._open:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            principal = verify(
                headers, key=self._key, method=scope["method"], path=scope["path"],
                query=scope.get("query_string", b"").decode("latin-1"), max_skew_seconds=self._skew,
            )
        except InvalidSignature as exc:
            problem = Problem(401, "unauthenticated", "Not authenticated", str(exc))
            await problem.to_response(instance_of(scope))(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


def get_principal(request: Request) -> Principal:
    principal = getattr(request.state, "principal", None)
    if principal is None:
        raise Problem(401, "unauthenticated", "Not authenticated", "no principal on this request")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: Role):
    """Dependency: the service's own check of GW-5 (the gateway checks first)."""
    allowed = frozenset(roles) | {Role.ADMIN}

    def check(principal: PrincipalDep) -> Principal:
        if principal.role not in allowed:
            raise Problem(
                403, "forbidden", "Forbidden",
                f"role {principal.role.value} may not do this; allowed: {', '.join(sorted(r.value for r in allowed))}",
            )
        return principal

    check.allowed_roles = allowed  # read by the test that keeps the gateway's table in step
    return Depends(check)
