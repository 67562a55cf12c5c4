"""RFC 9457 problem+json for every 4xx and 5xx (DESIGN §5).

``type`` is a stable URI per kind of problem, ``detail`` is for people, and
``errors[]`` locates each bad field (``{"field": "body.rows.3.code", "reason": …}``)
so a HIS can show its user exactly what to fix — a rule across fields names the field it
blames (``body.rows.3.winning_price``), never just the row (`invalid_field`). ``instance``
is the path the client called through the gateway (``/catalog/batches/X``), not the
service's own (``/batches/X``): see `instance_of`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic_core import PydanticCustomError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://vbp.example.org/problems/"
MEDIA_TYPE = "application/problem+json"

_TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 409: "Conflict", 413: "Payload Too Large", 415: "Unsupported Media Type",
    422: "Unprocessable Content", 429: "Too Many Requests", 500: "Internal Server Error",
    502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}
_SLUGS = {
    400: "bad-request", 401: "unauthenticated", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
    409: "conflict", 413: "payload-too-large", 415: "unsupported-media-type", 422: "validation-error",
    429: "rate-limited", 500: "internal-error", 502: "bad-gateway", 503: "unavailable", 504: "gateway-timeout",
}


class Problem(Exception):
    """Raise anywhere in a request to answer with problem+json."""

    def __init__(
        self,
        status: int,
        slug: str | None = None,
        title: str | None = None,
        detail: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or title or str(status))
        self.status = status
        self.slug = slug or _SLUGS.get(status, "error")
        self.title = title or _TITLES.get(status, "Error")
        self.detail = detail
        self.errors = errors
        self.extensions = extensions
        self.headers: dict[str, str] | None = None  # e.g. Retry-After on a 429

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": PROBLEM_BASE + self.slug, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extensions)
        return body

    def to_response(self, instance: str | None = None) -> Response:
        return problem_response(self.status, self.body(instance), self.headers)


def problem_response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, default=str).encode(),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def invalid_field(field: str, reason: str) -> PydanticCustomError:
    """Raise from a model validator when a rule across fields fails: pydantic locates such an
    error at the model (the whole row), so the field it blames rides in the error's context
    and `error_location` appends it (§5: every 422 locates the field)."""
    return PydanticCustomError("invalid_field", reason.replace("{", "(").replace("}", ")"), {"field": field})


_LIBRARY_PREFIXES = ("Value error, ", "Assertion failed, ")


def plain_reason(message: str) -> str:
    """A validation message as a person reads it: pydantic's "Value error, " dropped (issue 23).
    Every 422 the kit writes — a request's fields, a bulk call's rows — passes through it."""
    for prefix in _LIBRARY_PREFIXES:
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


def error_location(error: dict[str, Any]) -> str:
    """A pydantic error's location as a dotted path, ending in the blamed field if any."""
    loc = [str(p) for p in error.get("loc", ())]
    blamed = (error.get("ctx") or {}).get("field")
    if blamed:
        loc.append(str(blamed))
    return ".".join(loc)


def instance_of(scope) -> str:
    """The path the client called (§5 ``instance``). A service sits behind the gateway under
    ``/<service>`` (GW-1) and sees only the rest of the path; it knows its own prefix
    (``app.state.public_prefix``, set by `install_problem_handlers`) and puts it back, so
    a client can match the problem to its own request."""
    state = getattr(scope.get("app"), "state", None)
    return getattr(state, "public_prefix", "") + scope["path"]


def field_errors(exc: RequestValidationError) -> tuple[bool, list[dict[str, Any]]]:
    """Pydantic errors as ``{field, reason}``; the flag says the body was not JSON at all."""
    malformed = False
    errors = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            malformed = True
        errors.append({"field": error_location(err), "reason": plain_reason(err.get("msg", "invalid"))})
    return malformed, errors


# SQLSTATE of a database that went away or is not taking connections: class 08 connection
# exception, 57P01–57P03 admin/crash shutdown and "cannot connect now" (starting, recovering:
# "the database system is not yet accepting connections"), 53300 too many connections (every
# pool reconnecting at once after a restart)
_UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")


def _chain(exc: BaseException):
    """The error, what it wraps (``orig``) and what caused it, to the bottom: SQLAlchemy wraps
    the driver's adapter error, which wraps asyncpg's, which may wrap the socket's."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        error = todo.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        yield error
        todo += [getattr(error, "orig", None), error.__cause__, error.__context__]


def database_unreachable(exc: BaseException) -> bool:
    """The database was lost or refused the connection (a restart, a crash, a network cut, a
    pool that could not get a connection in time): the request did nothing that was kept (its
    transaction never committed), so the answer is 503 with Retry-After and the caller sends it
    again — with its Idempotency-Key, if it was a POST."""
    for error in _chain(exc):
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        # refused, reset, broken pipe, no answer; a socket file not there (FileNotFoundError) and
        # asyncio's "Multiple exceptions: [Errno 111] …" for a host of several addresses are
        # OSErrors that are not ConnectionErrors
        if isinstance(error, (OSError, TimeoutError, PoolTimeout)):
            return True
        state = str(getattr(error, "sqlstate", None) or getattr(error, "pgcode", None) or "")
        if state.startswith(_UNREACHABLE_STATES):  # asyncpg's lost connection is 08003, a failed one 08006
            return True
    return False


def unavailable(instance: str, detail: str = "the database is unavailable for a moment (restarting or "
                "unreachable); nothing was saved — send the request again") -> Response:
    problem = Problem(503, detail=detail)
    problem.headers = {"Retry-After": "1"}
    return problem.to_response(instance)


def install_problem_handlers(app: FastAPI, *, public_prefix: str = "") -> None:
    """``public_prefix``: where the gateway publishes this app (``/catalog``), for ``instance``."""
    app.state.public_prefix = public_prefix

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return exc.to_response(instance_of(request.scope))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        malformed, errors = field_errors(exc)
        if malformed:
            return Problem(
                400, "malformed-json", "Malformed JSON", "the request body is not valid JSON", errors=errors
            ).to_response(instance_of(request.scope))
        return Problem(
            422, "validation-error", "Invalid request",
            f"{len(errors)} field(s) are invalid: " + "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:5]),
            errors=errors,
        ).to_response(instance_of(request.scope))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else None
        response = Problem(exc.status_code, detail=detail).to_response(instance_of(request.scope))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(DBAPIError)
    async def _data(request: Request, exc: DBAPIError) -> Response:
        # SQLSTATE class 22 (data exception: out of range, NUL, datetime overflow) is a value of
        # the request the database cannot hold — the caller's to fix, and nothing was stored (the
        # unit of work rolls back). The guards and models name the field first; this is the net.
        state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None) or ""
        if not str(state).startswith("22"):
            return await _unhandled(request, exc)
        message = str(exc.orig).splitlines()[-1].split(": ", 1)[-1][:300]
        return Problem(422, "unstorable-value", "A value cannot be stored",
                       f"a value of the request cannot be stored: {message}",
                       errors=[{"field": "request", "reason": message}]).to_response(instance_of(request.scope))

    @app.exception_handler(OSError)  # a connection the driver could not open (asyncpg raises it bare)
    async def _os(request: Request, exc: OSError) -> Response:
        return await _unhandled(request, exc)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> Response:
        if database_unreachable(exc):
            log.warning("database unreachable on %s %s: %s: %s", request.method, request.url.path,
                        type(exc).__name__, str(exc).splitlines()[0][:200] if str(exc) else "")
            return unavailable(instance_of(request.scope))
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return Problem(500, detail="an unexpected error occurred; it has been logged").to_response(
            instance_of(request.scope))
