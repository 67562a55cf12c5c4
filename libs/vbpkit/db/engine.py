"""The database engine and sessions, the constraint naming convention, the kit's declarative
base, and the session a request's route receives (``SessionDep``).

A request's session is opened by :class:`vbpkit.web.unit_of_work.UnitOfWorkMiddleware`, which
commits once when the endpoint has produced a successful response — *before* the response is
sent — and rolls back otherwise. Services never commit (STYLE: "never call session.commit()"),
so a state change and the outbox row announcing it are one transaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


class KitBase(DeclarativeBase):
    """The kit's tables, which every service has in its own database (:mod:`vbpkit.db.tables`):
    the outbox and the relay's broker state, the inbox (processed events) and parked events,
    idempotency keys and the frozen clock's setting.

    Each service's Alembic history creates them with the kit's frozen steps
    (``vbpkit.db.migrations.create_kit_tables_v1`` … ``create_frozen_clock_v4``).
    """

    metadata = new_metadata()


def create_engine(url: str, **kwargs) -> AsyncEngine:
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    session = getattr(request.state, "session", None)
    if session is None:
        raise RuntimeError("UnitOfWorkMiddleware is not installed on this app")
    yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
