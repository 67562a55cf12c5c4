"""The one get-or-404 every feature uses, so a missing row reads the same everywhere, and
``any_of`` for a bulk's lookups.

A service phrases its 404s for its callers (contracts says "no order 7 of yours" so that a
foreign tenant learns nothing, GW-5); ``detail`` keeps that wording, the default is
``"<what> <id> not found"``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic_core import to_json
from sqlalchemy import Text, any_, bindparam, cast, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.web.problems import Problem

Model = TypeVar("Model")


async def get_or_404(session: AsyncSession, model: type[Model], ident: Any, *, what: str = "row",
                     detail: str | None = None, for_update: bool = False, **options: Any) -> Model:
    """``options`` go to ``session.get`` as they are (``populate_existing=True`` …)."""
    options.setdefault("with_for_update", for_update)
    row = await session.get(model, ident, **options)
    if row is None:
        raise Problem(404, detail=detail or f"{what} {ident} not found")
    return row


def filtered_page(model, filters: dict[str, Any], *, after_id: int | None, limit: int):
    """The SELECT of a page of ``model`` rows in id order: each filter not None an equality on the
    column it names, after the cursor ``after_id``, at most ``limit`` rows."""
    query = select(model).order_by(model.id).limit(limit)
    for column, value in filters.items():
        if value is not None:
            query = query.where(getattr(model, column) == value)
    return query.where(model.id > after_id) if after_id else query


def any_of(column, values: Iterable):
    """``column = ANY(:array)``: one bound parameter however many values. A bulk of 10,000
    rows as an IN list of tuples would overflow PostgreSQL's 32,767 parameters."""
    return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))


def in_array(column, values: Iterable):
    """``column IN (SELECT unnest(:array))``: for a long list filtering many rows in a statement
    that stays prepared. A generic plan of ``= ANY(:array)`` searches the array once per row
    (measured: 4.4 s for 196,611 rows × 700 codes); this one hashes it (bench/RESULTS.md)."""
    return column.in_(select(func.unnest(bindparam(None, list(values), type_=ARRAY(column.type)))).scalar_subquery())


def jsonb_param(name: str):
    """A JSONB value bound as text and cast by the database, for bulk inserts: pass
    ``as_json(value)`` — serialised by pydantic-core, not ``json.dumps`` row by row."""
    return cast(bindparam(name, type_=Text), JSONB)


def as_json(value: Any) -> str:
    return to_json(value).decode()


async def reserve_ids(session: AsyncSession, table: str, count: int) -> list[int]:
    """``count`` ids from ``table``'s id sequence, for rows a bulk writes without RETURNING
    (and that others must point at before they exist)."""
    if count <= 0:
        return []
    return list(await session.scalars(text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                                           "FROM generate_series(1, :n)"), {"table": table, "n": count}))


# A write takes at most this many scope locks; naming more, it takes its namespace whole. Each
# advisory lock is a slot of PostgreSQL's shared lock table (max_locks_per_transaction ×
# max_connections, 6,400 by default), so a lock per row of a 10,000-row bulk runs it out
# ("out of shared memory") as soon as two such bulks overlap.
MAX_SCOPE_LOCKS = 64

_WHOLE_NAMESPACE = text("SELECT pg_advisory_xact_lock(hashtext(:namespace), 0)")
_SHARED_NAMESPACE = text("SELECT pg_advisory_xact_lock_shared(hashtext(:namespace), 0)")
# In key order (the array is built sorted and unnest keeps its order), so two writes naming
# the same scopes never wait on each other in a circle; hashtext(namespace:scope) is the key
# the per-hospital locks of orders and fund payables had before.
_SCOPE_LOCKS = text(
    "SELECT pg_advisory_xact_lock(key) FROM unnest(ARRAY("
    "SELECT DISTINCT hashtext(:namespace || ':' || scope) FROM unnest(CAST(:scopes AS text[])) AS scope "
    "ORDER BY 1)) AS key"
).bindparams(bindparam("scopes", type_=ARRAY(Text)))


async def lock_for_transaction(session: AsyncSession, namespace: str, scopes: Iterable[str] | None = None) -> None:
    """Let one transaction at a time write ``namespace``'s rows of each of ``scopes`` (a
    hospital's orders, a batch's listings …), or of the whole namespace when ``scopes`` is
    None, until it commits or rolls back.

    Why: a write that reads what exists and then inserts what does not (an idempotent order,
    a bulk upsert counting what it created and announcing each change) does not see what a
    concurrent transaction inserted and has not committed yet. Both insert: one fails on the
    unique key (a 500), or both count the row as created and both announce it; and two bulks
    locking the same rows in different orders deadlock. Taken *before* that read, the lock
    makes the read see everything the previous holder committed (READ COMMITTED: each
    statement sees what was committed when it began, and the lock is only released once the
    holder's commit is visible).

    Lock keys: the namespace is a two-integer key (its own key space), held shared by writers
    of a few scopes and exclusively by writers of the whole namespace or of more than
    ``MAX_SCOPE_LOCKS`` scopes; each scope is ``hashtext(namespace:scope)``. A hash collision
    only makes two unrelated scopes wait for each other. Every writer takes the namespace lock
    first and its scope locks in key order, so none waits in a circle; a transaction takes the
    locks of one namespace only."""
    wanted = None if scopes is None else sorted(set(scopes))
    whole = wanted is None or len(wanted) > MAX_SCOPE_LOCKS
    await session.execute(_WHOLE_NAMESPACE if whole else _SHARED_NAMESPACE, {"namespace": namespace})
    if not whole and wanted:
        await session.execute(_SCOPE_LOCKS, {"namespace": namespace, "scopes": wanted})


async def copy_rows(session: AsyncSession, table, columns: list[str], records: list[tuple]) -> None:
    """Write ``records`` into ``table`` with PostgreSQL's binary COPY, inside the session's
    transaction: a bulk's tens of thousands of rows at a fraction of an INSERT's cost. The
    table's constraints and triggers hold as for an INSERT. A JSONB value is given as JSON
    text (``as_json``)."""
    if not records:
        return
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(table.name, records=records, columns=columns,
                                                      schema_name=table.schema)
