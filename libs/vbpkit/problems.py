"""RFC 9457 problem+json for every 4xx and 5xx (DESIGN §5).

``type`` is a stable URI per kind of problem, ``detail`` is for people, and
``errors[]`` locates each bad field (``{"field": "body.rows.3.code", "reason": …}``)
so a HIS can show its user exactly what to fix.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
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
        return problem_response(self.status, self.body(instance))


def problem_response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, default=str).encode(),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def field_errors(exc: RequestValidationError) -> tuple[bool, list[dict[str, Any]]]:
    """Pydantic errors as ``{field, reason}``; the flag says the body was not JSON at all."""
    malformed = False
    errors = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            malformed = True
        errors.append({"field": ".".join(str(p) for p in err.get("loc", ())), "reason": err.get("msg", "invalid")})
    return malformed, errors


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return exc.to_response(request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        malformed, errors = field_errors(exc)
        if malformed:
            return Problem(
                400, "malformed-json", "Malformed JSON", "the request body is not valid JSON", errors=errors
            ).to_response(request.url.path)
        return Problem(
            422, "validation-error", "Invalid request",
            f"{len(errors)} field(s) are invalid: " + "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:5]),
            errors=errors,
        ).to_response(request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else None
        response = Problem(exc.status_code, detail=detail).to_response(request.url.path)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return Problem(500, detail="an unexpected error occurred; it has been logged").to_response(request.url.path)
