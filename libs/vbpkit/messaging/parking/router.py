"""``/parked-events``: admin only, in every service that consumes events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from vbpkit.db.engine import SessionDep
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.web.identity import require_roles
from vbpkit.web.pagination import cut
from vbpkit.messaging.parking import repository, service

router = APIRouter(prefix="/parked-events", tags=["operations"])


class ParkedEventRead(BaseModel):
    event_id: uuid.UUID
    key: str = Field(description="the aggregate id; later events of it are parked behind this one")
    type: str
    error: str = Field(description="what the handler raised the last time")
    attempts: int
    parked_at: datetime
    envelope: dict


class ParkedEventPage(BaseModel):
    items: list[ParkedEventRead]
    next_cursor: int | None


class Retried(BaseModel):
    applied: list[uuid.UUID] = Field(description="the retried event and those of its aggregate parked behind it, in order")


@router.get("", response_model=ParkedEventPage, dependencies=[require_roles()],
            summary="Events a handler kept failing on (admin)")
async def list_parked(
    session: SessionDep,
    cursor: Annotated[int | None, Query(ge=0, le=BIGINT_MAX)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ParkedEventPage:
    rows, next_cursor = cut(await repository.page(session, after_id=cursor, limit=limit), limit, lambda r: r.id)
    return ParkedEventPage(
        items=[ParkedEventRead.model_validate(row, from_attributes=True) for row in rows], next_cursor=next_cursor
    )


@router.post("/{event_id}/retry", response_model=Retried, dependencies=[require_roles()],
             summary="Apply a parked event again, with those parked behind it (admin)")
async def retry_parked(event_id: uuid.UUID, request: Request, session: SessionDep) -> Retried:
    handlers = request.app.state.runtime.handlers
    return Retried(applied=await service.retry(session, handlers=handlers, event_id=event_id))
