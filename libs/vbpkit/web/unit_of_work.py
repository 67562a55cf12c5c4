"""One database transaction per request, committed before the response leaves.

FastAPI runs the exit code of ``yield`` dependencies around the response, which is
too late to turn a failed commit into an honest status. This pure-ASGI middleware
instead buffers the response of an unsafe request, commits when it is a success
(< 400) and only then sends it; any 4xx/5xx or exception rolls everything back, so
bad input never leaves anything half-written. It also applies Idempotency-Key.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vbpkit.web import idempotency
from vbpkit.web.identity import BodyTooLarge, read_body, replaying, too_large
from vbpkit.web.problems import Problem, database_unreachable, instance_of, unavailable

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class UnitOfWorkMiddleware:
    def __init__(self, app, *, sessionmaker: async_sessionmaker[AsyncSession], max_body_bytes: int = 32 * 1024 * 1024):
        self.app = app
        self._sessionmaker = sessionmaker
        self._max_body = max_body_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        async with self._sessionmaker() as session:
            state["session"] = session
            if scope["method"] in SAFE_METHODS:
                await self.app(scope, receive, send)
                return
            try:
                await self._unsafe(scope, receive, send, session, state)
            except Exception as exc:
                # the answer is buffered until the commit, so nothing was sent yet
                if not database_unreachable(exc):
                    raise
                log.warning("database unreachable on %s %s: %s", scope["method"], scope["path"], type(exc).__name__)
                await unavailable(instance_of(scope))(scope, receive, send)

    async def _unsafe(self, scope, receive, send, session: AsyncSession, state: dict) -> None:
        path = scope["path"]
        body = state.get("body")  # read and verified by IdentityMiddleware (GW-3), which replays it
        replay_receive = receive
        if body is None:
            try:
                body = await read_body(scope, receive, limit=self._max_body)
            except BodyTooLarge:
                await too_large(self._max_body).to_response(instance_of(scope))(scope, receive, send)
                return
            replay_receive = replaying(body, receive)

        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        key = headers.get(idempotency.HEADER)
        principal = state.get("principal")
        owner = principal.key_id if principal is not None else "anonymous"
        if key is not None:
            if not 1 <= len(key) <= idempotency.MAX_KEY_LENGTH:
                await Problem(
                    400, "invalid-idempotency-key", detail=f"Idempotency-Key must be 1–{idempotency.MAX_KEY_LENGTH} characters",
                    errors=[{"field": "header.Idempotency-Key", "reason": "length out of range"}],
                ).to_response(instance_of(scope))(scope, receive, send)
                return
            fingerprint = idempotency.request_hash(scope["method"], path, scope.get("query_string", b""), body)
            stored = await idempotency.claim(
                session, principal=owner, key=key, fingerprint=fingerprint, method=scope["method"], path=path
            )
            if stored is not None:
                await self._replay(stored, fingerprint, scope, receive, send)
                return

        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message):
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, replay_receive, capture)
        status = start.get("status", 500)
        response_headers = list(start.get("headers", []))
        response_body = b"".join(chunks)
        if status < 400:
            try:
                if key is not None:
                    await idempotency.remember(
                        session, principal=owner, key=key, status_code=status,
                        headers=[(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in response_headers],
                        body=response_body,
                    )
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                log.info("commit refused on %s: %s", path, exc.orig)
                await Problem(409, detail="the change conflicts with stored data; nothing was saved").to_response(
                    instance_of(scope))(scope, receive, send)
                return
            except DBAPIError as exc:
                try:
                    await session.rollback()
                except DBAPIError:
                    pass  # the connection is gone; the pool discards it
                if database_unreachable(exc):
                    # the commit may have reached the database before the connection was lost:
                    # the same request again with its Idempotency-Key finds out which
                    log.warning("database lost while committing %s: %s", path, type(exc.orig).__name__)
                    await unavailable(instance_of(scope), "the database was lost while saving the change, so whether "
                                      "it was saved is unknown: send the same request again (with the same "
                                      "Idempotency-Key it is answered once, as saved)")(scope, receive, send)
                    return
                log.exception("commit failed on %s", path)
                await Problem(503, detail="the database did not accept the change; nothing was saved").to_response(
                    instance_of(scope))(scope, receive, send)
                return
        else:
            await session.rollback()
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": response_body})

    @staticmethod
    async def _replay(stored, fingerprint: str, scope, receive, send) -> None:
        if stored.request_hash != fingerprint:
            await Problem(
                409, "idempotency-key-reused",
                detail="this Idempotency-Key was already used with a different request",
                errors=[{"field": "header.Idempotency-Key", "reason": "used before with another body or path"}],
            ).to_response(instance_of(scope))(scope, receive, send)
            return
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored.headers or []]
        headers.append((idempotency.REPLAYED_HEADER.encode(), b"true"))
        await send({"type": "http.response.start", "status": stored.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": stored.body or b""})
