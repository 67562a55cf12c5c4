"""Cursor pagination (DESIGN §5 "lists are paginated, never unbounded").

A list query asks for ``limit + 1`` rows ordered by its cursor key; the extra row only
tells that another page exists, and the last row shown gives the next cursor.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def cut(rows: Sequence[T], limit: int, cursor_of: Callable[[T], Any]) -> tuple[list[T], Any]:
    """The page to show and the cursor of the next page (None on the last page)."""
    page = list(rows[:limit])
    return page, (cursor_of(page[-1]) if len(rows) > limit else None)


async def kept_pages(fetch: Callable[[Any, int], Awaitable[Sequence[T]]], keep: Callable[[T], bool], *,
                     after: Any, limit: int, cursor_of: Callable[[T], Any] = lambda row: row.id) -> list[T]:
    """Up to ``limit`` rows that ``keep`` admits, fetching page after page (``fetch(after,
    limit)`` in cursor order) until enough are kept or none is left: for a scope the query
    cannot express (a region and the regions under it), so a page is never short while more
    rows would pass."""
    found: list[T] = []
    while len(found) < limit:
        page = await fetch(after, limit)
        if not page:
            break
        found += [row for row in page if keep(row)]
        after = cursor_of(page[-1])
    return found[:limit]
