"""``AuditMiddleware`` wraps the whole gateway, outermost but for the request id: it sees every
request's body as it arrives and the status it was answered with. The row is written after the
answer has left, so it costs the caller nothing."""

from __future__ import annotations

import hashlib

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vbp_gateway.audit.service import event_of, record
from vbpkit.web.request_id import current as current_request_id


class AuditMiddleware:
    """Pure ASGI: hashes the body as it is received and watches the status as it is sent."""

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
                await record(self._sessionmaker, row)
