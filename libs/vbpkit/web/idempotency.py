"""Idempotency-Key for POSTs (DESIGN §5).

The key is claimed by inserting its row in the *request's own transaction*, before
the endpoint runs. A concurrent request with the same key blocks on that insert
until the first one commits — then finds the stored response and replays it — or
rolls back, in which case it claims the key itself. Only a successful response is
stored, in the same transaction as its effects, so "stored response" and "effect
happened" are one fact: 20 concurrent retries give exactly one effect.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.db.tables import IdempotencyRecord

HEADER = "idempotency-key"
REPLAYED_HEADER = "idempotent-replayed"
MAX_KEY_LENGTH = 200
KEPT_HEADERS = ("content-type", "location")


def request_hash(method: str, path: str, query: bytes, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


async def claim(
    session: AsyncSession, *, principal: str, key: str, fingerprint: str, method: str, path: str
) -> IdempotencyRecord | None:
    """Claim ``key`` for this request; returns the stored record when it was already used."""
    claimed = await session.scalar(
        insert(IdempotencyRecord)
        .values(principal=principal, key=key, request_hash=fingerprint, method=method, path=path)
        .on_conflict_do_nothing()
        .returning(IdempotencyRecord.key)
    )
    if claimed is not None:
        return None
    await session.rollback()
    return await session.get(IdempotencyRecord, (principal, key), populate_existing=True)


async def remember(
    session: AsyncSession, *, principal: str, key: str, status_code: int, headers: list[tuple[str, str]], body: bytes
) -> None:
    kept = [[name, value] for name, value in headers if name in KEPT_HEADERS]
    await session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.principal == principal, IdempotencyRecord.key == key)
        .values(status_code=status_code, headers=kept, body=body)
    )
