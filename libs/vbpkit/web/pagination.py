"""Cursor pagination (DESIGN §5 "lists are paginated, never unbounded").

A list query asks for ``limit + 1`` rows ordered by its cursor key; the extra row only
tells that another page exists, and the last row shown gives the next cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def cut(rows: Sequence[T], limit: int, cursor_of: Callable[[T], Any]) -> tuple[list[T], Any]:
    """The page to show and the cursor of the next page (None on the last page)."""
    page = list(rows[:limit])
    return page, (cursor_of(page[-1]) if len(rows) > limit else None)
