"""Projection writes shared by every service's read models.

A consumer sees events in order per key, but a broker that lost its data makes the
relay republish history: an old event may then arrive after a newer one it has not
seen as a duplicate (a different event id of the same aggregate). Each read-model row
therefore keeps the ``occurred_at`` of the event it last applied, and an older event
never overwrites it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


async def upsert_latest(
    session: AsyncSession, model, rows: list[dict[str, Any]], *, key: str, stamp: str = "as_of"
) -> None:
    """Insert ``rows`` or update the rows with the same ``key`` unless they are newer.

    One statement for the whole list; where a key appears more than once, the row with
    the latest stamp (the last of equals) is the one written.
    """
    latest: dict[Any, dict[str, Any]] = {}
    for row in rows:
        kept = latest.get(row[key])
        if kept is None or kept[stamp] <= row[stamp]:
            latest[row[key]] = row
    if not latest:
        return
    statement = insert(model).values(list(latest.values()))
    column = getattr(model, stamp)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[getattr(model, key)],
            set_={name: statement.excluded[name] for name in rows[0] if name != key},
            where=column <= statement.excluded[stamp],
        )
    )
