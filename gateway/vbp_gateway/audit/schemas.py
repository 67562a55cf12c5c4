"""The audit trail as an admin reads it, a page at a time."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    event: str
    role: str | None
    key_id: str | None
    tenant: str | None
    client_address: str
    method: str
    path: str
    query: str
    status: int
    request_id: str
    body_sha256: str


class AuditPage(BaseModel):
    items: list[AuditRead]
    next_cursor: int | None
