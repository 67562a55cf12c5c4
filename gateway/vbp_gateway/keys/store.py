"""Authenticating a raw key (GW-2) on every request, with a short cache so it costs no query."""

from __future__ import annotations

import hmac
import time

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vbp_gateway.keys import repository
from vbp_gateway.keys.models import ApiKey
from vbp_gateway.keys.secret import digest, split_key
from vbpkit.web.identity import Principal, Role

BOOTSTRAP_ADMIN_ID = "bootstrap-admin"


class KeyStore:
    """Authenticates raw keys; remembers lookups briefly so each request costs no query.

    It reads with a session of its own: a proxied request has no unit of work (the services
    keep theirs), and a lookup must not wait for an admin's transaction."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], *, admin_key: str, cache_seconds: float):
        self.sessionmaker = sessionmaker
        self._admin_digest = digest(admin_key)
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}

    def forget(self, key_id: str) -> None:
        self._cache.pop(key_id, None)

    def forget_once_committed(self, session: AsyncSession, key_id: str) -> None:
        """Drop ``key_id`` when ``session`` commits — not before: a lookup between the two would
        read the key as still valid and keep it ``cache_seconds`` longer."""
        event.listen(session.sync_session, "after_commit", lambda _session: self.forget(key_id), once=True)

    async def authenticate(self, raw: str) -> Principal | None:
        if hmac.compare_digest(digest(raw), self._admin_digest):
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
            async with self.sessionmaker() as session:
                row = await repository.get(session, key_id)
            if row is not None:  # misses are not kept: random ids must not grow the cache
                self._cache[key_id] = (now + self._cache_seconds, row)
        if row is None or row.revoked_at is not None:
            return None
        if not hmac.compare_digest(row.secret_sha256, digest(secret)):
            return None
        return Principal(role=Role(row.role), tenant=row.tenant, key_id=row.key_id)
