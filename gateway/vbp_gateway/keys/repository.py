"""Every query on the API keys."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_gateway.keys.models import ApiKey


async def add(session: AsyncSession, key: ApiKey) -> ApiKey:
    session.add(key)
    await session.flush()
    await session.refresh(key)
    return key


async def get(session: AsyncSession, key_id: str) -> ApiKey | None:
    return await session.get(ApiKey, key_id)


async def page(session: AsyncSession, *, include_revoked: bool, after: str | None, limit: int,
               role: str | None, tenant: str | None) -> list[ApiKey]:
    """A page of keys in key id order (ids are random, so the order is stable and says nothing)."""
    query = select(ApiKey).order_by(ApiKey.key_id).limit(limit)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    if after is not None:
        query = query.where(ApiKey.key_id > after)
    if role is not None:
        query = query.where(ApiKey.role == role)
    if tenant is not None:
        query = query.where(ApiKey.tenant == tenant)
    return list(await session.scalars(query))


async def revoke(session: AsyncSession, key_id: str) -> ApiKey | None:
    """The key, revoked now unless it already was; None when there is no such key."""
    row = await session.get(ApiKey, key_id, with_for_update=True)
    if row is not None and row.revoked_at is None:
        row.revoked_at = func.now()
        await session.flush()
        await session.refresh(row)
    return row
