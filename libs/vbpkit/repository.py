"""The one get-or-404 every feature uses, so a missing row reads the same everywhere.

A service phrases its 404s for its callers (contracts says "no order 7 of yours" so that a
foreign tenant learns nothing, GW-5); ``detail`` keeps that wording, the default is
``"<what> <id> not found"``.
"""

from __future__ import annotations

from typing import Any, TypeVar

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
