"""The one get-or-404 every feature's repository uses (STYLE: "one get-or-404 helper")."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.problems import Problem

T = TypeVar("T")


async def get_or_404(session: AsyncSession, model: type[T], ident: Any, *, detail: str, **options: Any) -> T:
    """The row of ``model`` with primary key ``ident``, or a 404 problem saying ``detail``.

    ``options`` go to ``session.get`` (e.g. ``with_for_update=True``).
    """
    row = await session.get(model, ident, **options)
    if row is None:
        raise Problem(404, detail=detail)
    return row
