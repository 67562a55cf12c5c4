"""API shapes of the keys (GW-2): what an admin sends, what is read back, and who a caller is."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vbpkit.web.identity import Role
from vbpkit.web.problems import invalid_field

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


class ApiKeyPage(BaseModel):
    items: list[ApiKeyRead]
    next_cursor: str | None = Field(description="pass as cursor for the next page; null on the last")


class RateLimitState(BaseModel):
    limit: str = Field(examples=["3000 per 1 minute"])
    remaining: int
    reset_seconds: int


class Me(BaseModel):
    role: Role
    tenant: str | None
    key_id: str = Field(description="the API key's id, or jwt:<subject> for a bearer token")
    rate_limit: RateLimitState | None
