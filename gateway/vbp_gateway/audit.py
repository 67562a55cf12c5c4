"""The audit trail a government system keeps (issue 11, item 9; 网络安全法 art. 21: network logs
kept at least six months; 等保 2.0: a security audit of user actions).

``AuditMiddleware`` wraps the whole gateway: every write (any method but GET, HEAD and
OPTIONS) through it — to a service or to the admin API, key issuance and revocation included —
and every failed authentication (a 401, or a 429 for an address locked out) is one
append-only row: when, principal (role, key id, tenant), client address, method, path, query,
status, request id and the SHA-256 of the body as it arrived. The row is written after the
answer has left, so it costs the caller nothing; a failure to write it is logged, never the
caller's error. Rows are kept ``GATEWAY_AUDIT_RETENTION_DAYS`` (180) and then deleted by the
gateway's housekeeping; nothing in the API edits them, and the table refuses UPDATE.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import logging
import re
from datetime import datetime, timedelta, timezone

from pydantic import BaseModel, ConfigDict
from sqlalchemy import BigInteger, DateTime, Integer, String, Text, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from vbp_gateway.keys import Base
from vbpkit.web.request_id import current as current_request_id

log = logging.getLogger(__name__)
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
_KEYS = re.compile(r"^/admin/api-keys(/[^/]+)?$")


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    event: Mapped[str] = mapped_column(String(16), comment="write | auth_failure | key_issued | key_revoked")
    role: Mapped[str | None] = mapped_column(String(16))
    key_id: Mapped[str | None] = mapped_column(String(32), index=True)
    tenant: Mapped[str | None] = mapped_column(String(64))
    client_address: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(Text)
    query: Mapped[str] = mapped_column(Text)
    status: Mapped[int] = mapped_column(Integer)
    request_id: Mapped[str] = mapped_column(String(128))
    body_sha256: Mapped[str] = mapped_column(String(64))


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


COLUMNS = list(AuditRead.model_fields)


def event_of(method: str, path: str, status: int, principal) -> str | None:
    """What the request is to the audit trail, or None when it is not recorded."""
    if principal is None and status in (401, 429):
        return "auth_failure"
    if method in SAFE:
        return None
    if _KEYS.match(path) and status < 400:
        return "key_revoked" if method == "DELETE" else "key_issued"
    return "write"


class AuditMiddleware:
    """Pure ASGI, outermost but for the request id: sees the body as it arrives and the status."""

    def __init__(self, app, *, sessionmaker: async_sessionmaker[AsyncSession]):
        self.app = app
        self._sessionmaker = sessionmaker

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        digest = hashlib.sha256()
        answered: dict = {}

        async def hashing():
            message = await receive()
            if message["type"] == "http.request":
                digest.update(message.get("body", b""))
            return message

        async def watching(message):
            if message["type"] == "http.response.start":
                answered["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, hashing, watching)
        finally:
            status = answered.get("status", 500)
            principal = scope.get("state", {}).get("principal")
            event = event_of(scope["method"], scope["path"], status, principal)
            if event is not None:
                client = scope.get("client")
                row = dict(event=event, role=principal.role.value if principal else None,
                           key_id=principal.key_id if principal else None,
                           tenant=principal.tenant if principal else None,
                           client_address=client[0] if client else "unknown", method=scope["method"],
                           path=scope["path"][:2000], query=scope.get("query_string", b"").decode("latin-1")[:2000],
                           status=status, request_id=current_request_id.get(), body_sha256=digest.hexdigest())
                await self._record(row)

    async def _record(self, row: dict) -> None:
        try:
            async with self._sessionmaker.begin() as session:
                await session.execute(insert(AuditEntry).values(row))
        except Exception:  # the audit must not turn the caller's answer into an error
            log.exception("could not record the audit entry %s", row)


async def page(session: AsyncSession, *, after: int | None, limit: int, event: str | None, key_id: str | None,
               since: datetime | None, until: datetime | None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id).limit(limit)
    if after is not None:
        query = query.where(AuditEntry.id > after)
    if event is not None:
        query = query.where(AuditEntry.event == event)
    if key_id is not None:
        query = query.where(AuditEntry.key_id == key_id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return list(await session.scalars(query))


def as_csv(rows: list[AuditEntry]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([getattr(row, c).isoformat() if c == "at" else getattr(row, c) for c in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


async def apply_retention(sessionmaker: async_sessionmaker[AsyncSession], *, days: int) -> int:
    async with sessionmaker.begin() as session:
        result = await session.execute(
            delete(AuditEntry).where(AuditEntry.at < datetime.now(timezone.utc) - timedelta(days=days)))
        return result.rowcount or 0


async def housekeeping(sessionmaker: async_sessionmaker[AsyncSession], *, days: int, every_seconds: float) -> None:
    while True:
        try:
            removed = await apply_retention(sessionmaker, days=days)
            if removed:
                log.info("audit retention: %d entries older than %d days removed", removed, days)
        except Exception:
            log.exception("audit retention failed; trying again later")
        await asyncio.sleep(every_seconds)
