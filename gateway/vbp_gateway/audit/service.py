"""What goes into the audit trail, reading it, and its retention (网络安全法 art. 21: six months)."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vbp_gateway.audit import repository
from vbp_gateway.audit.schemas import AuditPage, AuditRead
from vbpkit.web.identity import Principal

if TYPE_CHECKING:
    from vbp_gateway.runtime import GatewayRuntime

log = logging.getLogger(__name__)
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
KEY_ROUTES = re.compile(r"^/admin/api-keys(/[^/]+)?$")


def event_of(method: str, path: str, status: int, principal: Principal | None) -> str | None:
    """What the request is to the audit trail, or None when it is not recorded."""
    if principal is None and status in (401, 429):
        return "auth_failure"
    if method in SAFE:
        return None
    if KEY_ROUTES.match(path) and status < 400:
        return "key_revoked" if method == "DELETE" else "key_issued"
    return "write"


async def record(sessionmaker: async_sessionmaker[AsyncSession], row: dict) -> None:
    """One row, in a transaction of its own after the answer left: a failure is logged, never the caller's."""
    try:
        async with sessionmaker.begin() as session:
            await repository.append(session, row)
    except Exception:  # the audit must not turn the caller's answer into an error
        log.exception("could not record the audit entry %s", row)


async def page(session: AsyncSession, *, after: int | None, limit: int, event: str | None, key_id: str | None,
               since: datetime | None, until: datetime | None) -> AuditPage:
    """Oldest first, from ``after`` (the previous page's cursor)."""
    rows = await repository.page(session, after=after, limit=limit, event=event, key_id=key_id, since=since,
                                 until=until)
    return AuditPage(items=[AuditRead.model_validate(r) for r in rows],
                     next_cursor=rows[-1].id if len(rows) == limit else None)


async def apply_retention(sessionmaker: async_sessionmaker[AsyncSession], *, days: int) -> int:
    async with sessionmaker.begin() as session:
        return await repository.delete_before(session, datetime.now(timezone.utc) - timedelta(days=days))


async def housekeeping(runtime: GatewayRuntime) -> None:
    """Apply the retention at start, then every ``GATEWAY_AUDIT_HOUSEKEEPING_SECONDS``."""
    days, every_seconds = runtime.settings.audit_retention_days, runtime.settings.audit_housekeeping_seconds
    while True:
        try:
            removed = await apply_retention(runtime.sessionmaker, days=days)
            if removed:
                log.info("audit retention: %d entries older than %d days removed", removed, days)
        except Exception:
            log.exception("audit retention failed; trying again later")
        await asyncio.sleep(every_seconds)
