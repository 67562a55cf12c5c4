"""API keys for machine clients (GW-2): issued, listed and revoked by an admin.

A key is shown once, as ``vbp_<key id>_<secret>``; only the SHA-256 of the secret is
stored. The secret has 256 bits of entropy, so a fast hash is enough — there is no
password to brute-force.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import DateTime, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from vbpkit.db.engine import new_metadata
from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem, invalid_field

PREFIX = "vbp_"
BOOTSTRAP_ADMIN_ID = "bootstrap-admin"


class Base(DeclarativeBase):
    metadata = new_metadata()


class ApiKey(Base):
    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    tenant: Mapped[str | None] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


TENANT_REQUIRED = {Role.HOSPITAL: "institution code", Role.COMPANY: "unified social credit code"}


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    role: Role
    tenant: str | None = Field(
        default=None, max_length=64,
        description="institution code (hospital), credit code (company), region code (insurer); "
        "required for hospital and company keys (GW-5 tenant scoping)",
    )
    label: str = Field(min_length=1, max_length=200, examples=["HIS of 重庆医科大学附属第一医院"])

    @model_validator(mode="after")
    def _tenant(self):
        if self.role in TENANT_REQUIRED and not self.tenant:
            raise invalid_field("tenant", f"a {self.role.value} key needs a tenant ({TENANT_REQUIRED[self.role]})")
        return self


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key_id: str
    role: Role
    tenant: str | None
    label: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyIssued(ApiKeyRead):
    api_key: str = Field(description="shown only now; store it — the platform keeps only its hash")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_key(raw: str) -> tuple[str, str] | None:
    if not raw.startswith(PREFIX):
        return None
    key_id, sep, secret = raw[len(PREFIX):].partition("_")
    if not sep or not key_id or not secret:
        return None
    return key_id, secret


def company_tenant(code: str) -> str:
    """GW-2 with CAT-9: a company key is scoped to a unified social credit code, so a code
    whose GB 32100-2015 check character is wrong would scope it to a company that cannot
    exist — every request of that key would then see nothing, silently. The gateway may not
    import the catalog, so the check is python-stdnum's (the same standard)."""
    try:
        return uscc.validate(code)
    except ValidationError as error:
        reason = {InvalidChecksum: f"wrong check character {code.strip()[-1:]!r}: expected "
                                   f"{uscc.calc_check_digit(uscc.compact(code))!r}",
                  InvalidLength: f"a unified social credit code has 18 characters, not {len(uscc.compact(code))}",
                  }.get(type(error), "not a unified social credit code: 8 digits, then 9 of 0-9 and capital letters "
                                     "except I, O, Z, S, V, then the check character")
        raise Problem(422, detail=f"tenant {code!r} is not a valid unified social credit code (CAT-9): {reason}",
                      errors=[{"field": "body.tenant", "reason": reason}]) from None


async def issue(session: AsyncSession, request: ApiKeyCreate, *, by: Principal) -> ApiKeyIssued:
    if request.role is Role.COMPANY:
        request = request.model_copy(update={"tenant": company_tenant(request.tenant)})
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    row = ApiKey(
        key_id=key_id, secret_sha256=_digest(secret), role=request.role.value,
        tenant=request.tenant, label=request.label, created_by=by.key_id,
    )
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return ApiKeyIssued(**ApiKeyRead.model_validate(row).model_dump(), api_key=f"{PREFIX}{key_id}_{secret}")


class RateLimitState(BaseModel):
    limit: str = Field(examples=["3000 per 1 minute"])
    remaining: int
    reset_seconds: int


class Me(BaseModel):
    role: Role
    tenant: str | None
    key_id: str = Field(description="the API key's id, or jwt:<subject> for a bearer token")
    rate_limit: RateLimitState | None


class ApiKeyPage(BaseModel):
    items: list["ApiKeyRead"]
    next_cursor: str | None = Field(description="pass as cursor for the next page; null on the last")


async def listing(session: AsyncSession, *, include_revoked: bool, after: str | None = None, limit: int = 100,
                  role: str | None = None, tenant: str | None = None) -> list[ApiKey]:
    """A page of keys in key id order (ids are random, so the order is stable and says nothing)."""
    query = select(ApiKey).order_by(ApiKey.key_id).limit(limit)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    if after is not None:
        query = query.where(ApiKey.key_id > after)
    if role is not None:
        query = query.where(ApiKey.role == role)
    if tenant is not None:
        query = query.where(ApiKey.tenant == tenant)
    return list(await session.scalars(query))


async def revoke(session: AsyncSession, key_id: str) -> ApiKey | None:
    row = await session.get(ApiKey, key_id, with_for_update=True)
    if row is not None and row.revoked_at is None:
        row.revoked_at = func.now()
        await session.flush()
        await session.refresh(row)
    return row


class KeyStore:
    """Authenticates raw keys; remembers lookups briefly so each request costs no query."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], *, admin_key: str, cache_seconds: float):
        self._sessionmaker = sessionmaker
        self._admin_digest = _digest(admin_key)
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}

    def forget(self, key_id: str) -> None:
        self._cache.pop(key_id, None)

    async def authenticate(self, raw: str) -> Principal | None:
        if hmac.compare_digest(_digest(raw), self._admin_digest):
            return Principal(role=Role.ADMIN, tenant=None, key_id=BOOTSTRAP_ADMIN_ID)
        parts = split_key(raw)
        if parts is None:
            return None
        key_id, secret = parts
        now = time.monotonic()
        cached = self._cache.get(key_id)
        if cached is not None and cached[0] > now:
            row = cached[1]
        else:
            async with self._sessionmaker() as session:
                row = await session.get(ApiKey, key_id)
            if row is not None:  # misses are not kept: random ids must not grow the cache
                self._cache[key_id] = (now + self._cache_seconds, row)
        if row is None or row.revoked_at is not None:
            return None
        if not hmac.compare_digest(row.secret_sha256, _digest(secret)):
            return None
        return Principal(role=Role(row.role), tenant=row.tenant, key_id=row.key_id)
