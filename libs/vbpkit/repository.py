"""The one get-or-404 every feature uses, so a missing row reads the same everywhere, and
``any_of`` for a bulk's lookups.

A service phrases its 404s for its callers (contracts says "no order 7 of yours" so that a
foreign tenant learns nothing, GW-5); ``detail`` keeps that wording, the default is
``"<what> <id> not found"``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.problems import Problem

Model = TypeVar("Model")


async def get_or_404(session: AsyncSession, model: type[Model], ident: Any, *, what: str = "row",
                     detail: str | None = None, for_update: bool = False, **options: Any) -> Model:
    """``options`` go to ``session.get`` as they are (``populate_existing=True`` …)."""
    options.setdefault("with_for_update", for_update)
    row = await session.get(model, ident, **options)
    if row is None:
        raise Problem(404, detail=detail or f"{what} {ident} not found")
    return row


def any_of(column, values: Iterable):
    """``column = ANY(:array)``: one bound parameter however many values. A bulk of 10,000
    rows as an IN list of tuples would overflow PostgreSQL's 32,767 parameters."""
    return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
