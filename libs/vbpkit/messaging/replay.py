"""``/read-model-rebuilds``: an admin rebuilds a service's read models by replaying every topic
it consumes from the beginning (MON-8: rebuilt figures equal the incrementally kept ones).

The service names its read models (``ServiceSpec.read_models``; its projections' tables join
them); they are emptied in one transaction with the inbox, and the consumer seeks to the
start of every partition (:meth:`vbpkit.messaging.inbox.InboxConsumer.replay`). What the service keeps
of its own — decisions, pushes, alerts, its outbox — is not touched. The answer comes once
the replay has started; ``/health`` shows the consumer's lag falling to 0 as it finishes.

Production brokers must keep these topics whole (``retention.ms=-1``): a log trimmed by
retention is refused rather than replayed in part.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.web.identity import require_roles
from vbpkit.messaging.inbox import ReplayRefused
from vbpkit.web.problems import Problem

router = APIRouter(tags=["operations"])


class Rebuild(BaseModel):
    tables: list[str] = Field(description="the read models emptied and being filled again")
    topics: list[str] = Field(description="the topics replayed from their beginning")
    partitions: int
    note: str = "the read models are whole again when /health shows the consumer's lag at 0"


async def empty(session: AsyncSession, tables: list[str]) -> None:
    """Empty the tables in one statement (TRUNCATE takes their locks for the transaction)."""
    if tables:
        await session.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)))


@router.post("/read-model-rebuilds", response_model=Rebuild, status_code=202, dependencies=[require_roles()],
             summary="Rebuild the read models by replaying every consumed topic from the beginning (admin)")
async def rebuild(request: Request) -> Rebuild:
    runtime = request.app.state.runtime
    if runtime.consumer is None:
        raise Problem(409, detail="this service's consumer is switched off: nothing would fill the read models")
    tables = list(runtime.read_models)
    try:
        started = await runtime.consumer.replay(lambda session: empty(session, tables))
    except (ReplayRefused, TimeoutError) as exc:
        raise Problem(409, detail=f"the replay did not start: {exc or 'the consumer did not answer in time'}") from exc
    return Rebuild(tables=tables, topics=started["topics"], partitions=started["partitions"])
