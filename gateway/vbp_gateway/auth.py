"""GW-2, GW-4: who the caller is — an API key or an ops user's bearer JWT — for the proxy and for
the gateway's own routes, with failed attempts counted against the client address."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from vbp_gateway.bearer import BearerVerifier, looks_like_jwt
from vbp_gateway.keys.store import KeyStore
from vbp_gateway.ratelimit import RateLimits
from vbp_gateway.runtime import RuntimeDep
from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem


def credential(headers: dict[bytes, bytes]) -> str | None:
    """The API key from ``X-API-Key`` or ``Authorization: Bearer``."""
    raw = headers.get(b"x-api-key")
    if raw is not None:
        return raw.decode("latin-1")
    scheme, _, value = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def client_address(scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


async def authenticate(store: KeyStore, headers: dict[bytes, bytes], *, limits: RateLimits | None = None,
                       address: str = "unknown", bearer: BearerVerifier | None = None) -> Principal:
    """The caller's principal; a failure counts against the client address (GW-4), and an
    address that used up its failures is refused before its key is even looked at."""
    if limits is not None:
        blocked = await limits.address_blocked(address)
        if blocked is not None:
            raise blocked.problem(f"too many failed authentications from {address}; "
                                  f"retry after {blocked.reset_seconds} s")
    raw = credential(headers)
    if raw and bearer is not None and looks_like_jwt(raw):  # GW-2: an ops user's token
        try:
            return await bearer.principal(raw)
        except Problem as problem:
            if problem.status == 401 and limits is not None:
                await limits.failed(address)
            raise
    principal = await store.authenticate(raw) if raw else None
    if principal is None:
        if limits is not None:
            await limits.failed(address)
        raise Problem(401, detail="send an API key in X-API-Key or Authorization: Bearer" if not raw
                      else "the API key is unknown or revoked")
    return principal


async def principal_of(request: Request, runtime: RuntimeDep) -> Principal:
    """The caller of one of the gateway's own routes (the proxy authenticates the rest itself)."""
    principal = await authenticate(runtime.key_store, dict(request.scope["headers"]), limits=runtime.limits,
                                   address=client_address(request.scope), bearer=runtime.bearer)
    request.state.principal = principal  # for the audit trail
    return principal


PrincipalDep = Annotated[Principal, Depends(principal_of)]


async def admin_only(principal: PrincipalDep) -> Principal:
    if principal.role is not Role.ADMIN:
        raise Problem(403, detail="only an admin may manage API keys")
    return principal


admin_only.allowed_roles = frozenset({Role.ADMIN})  # read by the OpenAPI document (x-roles)
AdminDep = Annotated[Principal, Depends(admin_only)]
