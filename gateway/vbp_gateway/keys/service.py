"""GW-2: issuing, listing and revoking API keys, and telling a caller who it is. Nothing here
commits: the request's unit of work does, once, before the answer leaves."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from vbp_gateway.keys import repository
from vbp_gateway.keys.models import ApiKey
from vbp_gateway.keys.schemas import ApiKeyCreate, ApiKeyIssued, ApiKeyPage, ApiKeyRead, Me
from vbp_gateway.keys.secret import digest, new_key, shown
from vbp_gateway.keys.store import KeyStore
from vbp_gateway.ratelimit import RateLimits
from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem

CREDIT_CODE_SHAPE = ("not a unified social credit code: 8 digits, then 9 of 0-9 and capital letters except I, O, Z, "
                     "S, V, then the check character")


def company_tenant(code: str) -> str:
    """GW-2 with CAT-9: a company key is scoped to a unified social credit code, so a code
    whose GB 32100-2015 check character is wrong would scope it to a company that cannot
    exist — every request of that key would then see nothing, silently. The gateway may not
    import the catalog, so the check is python-stdnum's (the same standard)."""
    try:
        return uscc.validate(code)
    except ValidationError as error:
        reason = why_not_a_credit_code(code, error)
        raise Problem(422, detail=f"tenant {code!r} is not a valid unified social credit code (CAT-9): {reason}",
                      errors=[{"field": "body.tenant", "reason": reason}]) from None


def why_not_a_credit_code(code: str, error: ValidationError) -> str:
    """The reason for ``error``, worked out only for its own kind: the expected check character
    exists only for a code of the code's alphabet (stdnum raises InvalidChecksum only then) — computed
    for any other, a character outside it (one beyond the Basic Multilingual Plane, found by
    schemathesis) made the refusal itself a 500."""
    if isinstance(error, InvalidChecksum):
        return (f"wrong check character {code.strip()[-1:]!r}: "
                f"expected {uscc.calc_check_digit(uscc.compact(code))!r}")
    if isinstance(error, InvalidLength):
        return f"a unified social credit code has 18 characters, not {len(uscc.compact(code))}"
    return CREDIT_CODE_SHAPE


async def issue(session: AsyncSession, request: ApiKeyCreate, *, by: Principal) -> ApiKeyIssued:
    if request.role is Role.COMPANY:
        request = request.model_copy(update={"tenant": company_tenant(request.tenant)})
    key_id, secret = new_key()
    row = await repository.add(session, ApiKey(
        key_id=key_id, secret_sha256=digest(secret), role=request.role.value,
        tenant=request.tenant, label=request.label, created_by=by.key_id,
    ))
    return ApiKeyIssued(**ApiKeyRead.model_validate(row).model_dump(), api_key=shown(key_id, secret))


async def page(session: AsyncSession, *, include_revoked: bool, after: str | None, limit: int,
               role: Role | None, tenant: str | None) -> ApiKeyPage:
    rows = await repository.page(session, include_revoked=include_revoked, after=after, limit=limit,
                                 role=role.value if role else None, tenant=tenant)
    return ApiKeyPage(items=[ApiKeyRead.model_validate(r) for r in rows],
                      next_cursor=rows[-1].key_id if len(rows) == limit else None)


async def revoke(session: AsyncSession, *, key_id: str, store: KeyStore) -> ApiKeyRead:
    """The key stops working at once: the gateway's cache drops it when the revocation commits."""
    row = await repository.revoke(session, key_id)
    if row is None:
        raise Problem(404, detail=f"no API key {key_id!r}")
    store.forget_once_committed(session, key_id)
    return ApiKeyRead.model_validate(row)


async def me(principal: Principal, limits: RateLimits) -> Me:
    """GW-2, GW-4: the caller's role, tenant, key id and where its rate limit stands."""
    return Me(role=principal.role, tenant=principal.tenant, key_id=principal.key_id,
              rate_limit=await limits.state(principal))
