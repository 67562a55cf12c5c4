"""No input gives a 5xx (issue 11): what PostgreSQL cannot store, refused before a handler runs.

Four kinds of value reach the database and fail there as a server error, whatever the
endpoint: a NUL character in text (PostgreSQL text cannot hold U+0000), a lone UTF-16
surrogate (JSON's ``"\\ud800"``: no UTF-8 for it), an integer beyond
a 64-bit column, and a date so far out that the arithmetic on it overflows. ``InputGuard``
looks at the path, the query and a JSON body and answers 422 problem+json naming the field:

- the path: a control character, or a number segment beyond BIGINT (``/orders/9223372036854775808``);
- the query: a control character, a whole-number value beyond BIGINT, a date outside
  ``DATE_RANGE``;
- a JSON body: the same in any value, located as ``body.rows.3.name``. Values under
  ``rows.<i>`` of a bulk body are left to the bulk validation, which fails that row alone
  and keeps the good ones (DESIGN §5); ``unstorable`` is what both use.

Narrower columns (an INTEGER year, a line number) are bounded by their request models. The
checks cost a regular-expression scan of the body; it is parsed only when the scan finds a
NUL, a 19-digit number or a date whose year lies outside the 1900s–2100s. A JSON body of more than ``MAX_OBJECTS`` objects is refused
before anything parses it: a bulk request takes 10,000 rows, and millions of tiny ones would
cost hundreds of MB to materialise before the row count is checked (issue 11, item 6).
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

from vbpkit.db.limits import BIGINT_MAX, BIGINT_MIN
from vbpkit.web.problems import Problem, instance_of

DATE_RANGE = (date(1900, 1, 1), date(2199, 12, 31))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DATE = re.compile(r"^([0-9]{4,})-([0-9]{2})(-([0-9]{2})([T ].*)?)?$")  # a date, a date-time or a month
MAX_OBJECTS = 50_000
# A NUL, a 19-digit number, or a year outside DATE_RANGE's centuries (19xx–21xx): negative, five
# digits or more, or another century — ordinary dates do not make the guard parse the body (every
# bulk body has dates). Three searches, not one alternation: each then scans a 5 MB body at its
# own fast prefix (0.14 s as one pattern, 0.08 s as three).
_BIG_NUMBER = re.compile(rb"\d{19}")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")  # a pair is fine; the parse tells
_FAR_DATE = re.compile(rb"\"(?:-|\d{5}|[03-9]\d{3}|1[0-8]\d\d|2[2-9]\d\d)\d*-\d\d")


def _suspect(body: bytes) -> bool:
    return (b"\\u0000" in body or b"\x00" in body or _BIG_NUMBER.search(body) is not None
            or _FAR_DATE.search(body) is not None or _SURROGATE_ESCAPE.search(body) is not None)


def unstorable(value: Any, where: str = "") -> list[tuple[str, str]]:
    """(location, reason) of each value in ``value`` the database cannot store."""
    found: list[tuple[str, str]] = []
    if isinstance(value, str):
        reason = _text_problem(value)
        if reason:
            found.append((where, reason))
    elif isinstance(value, bool):
        pass
    elif isinstance(value, int):
        if not BIGINT_MIN <= value <= BIGINT_MAX:
            found.append((where, "an integer beyond the 64-bit range cannot be stored"))
    elif isinstance(value, dict):
        for key, item in value.items():
            found += unstorable(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += unstorable(item, f"{where}.{index}" if where else str(index))
    return found


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character (U+0000), which cannot be stored"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # JSON admits a lone "\\ud800"; UTF-8, and so PostgreSQL, has no form for it
            return "contains a lone UTF-16 surrogate (U+D800–U+DFFF), which cannot be stored"
    match = _DATE.match(text)
    if match:
        year = int(match.group(1))
        if not DATE_RANGE[0].year <= year <= DATE_RANGE[1].year:
            return f"dates and months lie between {DATE_RANGE[0]} and {DATE_RANGE[1]}"
    return None


def _query_problems(query: str) -> list[tuple[str, str]]:
    found = []
    try:
        pairs = parse_qsl(query, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return [("query", "the query string is not valid UTF-8")]
    for name, value in pairs:
        where = f"query.{name}"
        if _CONTROL.search(name) or _CONTROL.search(value):
            found.append((where, "contains a control character"))
            continue
        if re.fullmatch(r"[+-]?[0-9]+", value.strip()) and not BIGINT_MIN <= int(value) <= BIGINT_MAX:
            found.append((where, "an integer beyond the 64-bit range"))
            continue
        reason = _text_problem(value)
        if reason:
            found.append((where, reason))
    return found


def _path_problems(path: str) -> list[tuple[str, str]]:
    control = _PATH_CONTROL.search(path)
    if control:
        return [("path", f"contains the control character U+{ord(control.group()):04X}")]
    for segment in path.split("/"):
        if segment.isascii() and segment.isdigit() and int(segment) > BIGINT_MAX:
            return [("path", f"{segment} is beyond the 64-bit range of an id")]
        reason = _text_problem(segment)
        if reason:
            return [("path", f"{segment}: {reason}")]
    return []


# Where a bulk body's rows are, each refused alone by its service (the bulk convention): ``rows``,
# and a HIS's national rows (MON-11) bare, under their wrapper, or in the national envelope.
_ROW = re.compile(r"((input\.)?(rows|purcinfo|invinfo|selinfo|data)\.)?\d+(\.|$)")


def _body_problems(scope, body: bytes) -> list[tuple[str, str]]:
    content_type = dict(scope["headers"]).get(b"content-type", b"").split(b";")[0].strip().lower()
    if not body or not content_type.endswith(b"json"):
        return []
    if body.count(b"{") > MAX_OBJECTS:
        # a bulk body holds at most 10,000 rows; millions of tiny ones would be materialised by the
        # JSON parser (hundreds of MB) before the row count is checked (issue 11)
        return [("body", f"holds more than {MAX_OBJECTS:,} objects; a request takes at most 10,000 rows")]
    if not _suspect(body):
        return []
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return []  # the application answers malformed JSON itself (400)
    return [(f"body.{where}" if where else "body", reason) for where, reason in unstorable(document)
            if not _ROW.match(where)]


class InputGuard:
    """Pure ASGI, after ``IdentityMiddleware`` (whose verified body it reads)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problems = (_path_problems(scope["path"])
                    + _query_problems(scope.get("query_string", b"").decode("latin-1"))
                    + _body_problems(scope, scope.get("state", {}).get("body", b"")))
        if problems:
            problem = Problem(422, "validation-error", "Invalid request",
                              "; ".join(f"{field}: {reason}" for field, reason in problems[:5]),
                              errors=[{"field": field, "reason": reason} for field, reason in problems])
            await problem.to_response(instance_of(scope))(scope, receive, send)
            return
        await self.app(scope, receive, send)
