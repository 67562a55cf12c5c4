"""CAT-1/CAT-2: batches with their cycle and execution policy; extension and early end."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.messaging import outbox
from vbpkit.events.catalog import BatchPublishedV2
from vbpkit.web.identity import Principal
from vbpkit.domain.policy import ExecutionPolicy, UnknownPreset, cycle_end, policy_from_preset
from vbpkit.web.pagination import cut
from vbpkit.web.problems import Problem

from vbp_catalog.batches import repository
from vbp_catalog.batches.models import Batch, BatchGroup
from vbp_catalog.batches.schemas import (
    BatchCreate,
    BatchEarlyEnd,
    BatchExtension,
    BatchPage,
    BatchRead,
    GroupRead,
)


def _explain(batch: Batch) -> dict:
    cycle = (
        {"cycle_years": batch.cycle_years, "formula": "starts_on + cycle_years − 1 day"}
        if batch.cycle_years else {"fixed_end": batch.planned_ends_on.isoformat()}
    )
    return {
        "rule": "CAT-1",
        "preset": batch.policy.preset,
        "starts_on": batch.starts_on.isoformat(),
        **cycle,
        "planned_ends_on": batch.planned_ends_on.isoformat(),
        "ends_on": batch.ends_on.isoformat(),
        "ended_early_on": batch.ended_early_on.isoformat() if batch.ended_early_on else None,
    }


async def _read(session: AsyncSession, batch: Batch) -> BatchRead:
    groups = await repository.groups(session, batch_code=batch.code)
    return BatchRead(
        code=batch.code, name=batch.name, kind=batch.kind, organiser_level=batch.organiser_level,
        document_no=batch.document_no, starts_on=batch.starts_on, cycle_years=batch.cycle_years,
        ends_on=batch.ends_on, planned_ends_on=batch.planned_ends_on, ended_early_on=batch.ended_early_on,
        end_reason=batch.end_reason, policy=batch.policy.model_dump(mode="json"),
        groups=[GroupRead(code=g.code, name=g.name) for g in groups],
        explain=_explain(batch), updated_at=batch.updated_at,
    )


async def _publish(session: AsyncSession, batch: Batch) -> BatchRead:
    await session.flush()
    await session.refresh(batch)
    body = await _read(session, batch)
    outbox.add(
        session,
        BatchPublishedV2(
            code=batch.code, name=batch.name, kind=batch.kind, organiser_level=batch.organiser_level,
            document_no=batch.document_no, starts_on=batch.starts_on, ends_on=batch.ends_on,
            planned_ends_on=batch.planned_ends_on, cycle_years=batch.cycle_years,
            ended_early_on=batch.ended_early_on, end_reason=batch.end_reason,
            groups=[g.model_dump() for g in body.groups], policy=batch.policy,
        ),
        key=batch.code,
    )
    return body


def _policy(request: BatchCreate) -> ExecutionPolicy:
    try:
        policy = policy_from_preset(request.preset, request.policy_overrides)
    except UnknownPreset as exc:
        raise Problem(422, detail=str(exc), errors=[{"field": "body.preset", "reason": str(exc)}]) from None
    except ValidationError as exc:
        errors = [
            {"field": "body.policy_overrides." + ".".join(str(p) for p in e["loc"]), "reason": e["msg"]}
            for e in exc.errors()
        ]
        raise Problem(422, detail="the execution policy is invalid: " + "; ".join(
            f"{e['field']}: {e['reason']}" for e in errors), errors=errors) from None
    return policy


async def create(session: AsyncSession, request: BatchCreate, *, by: Principal) -> BatchRead:
    policy = _policy(request)
    await repository.lock_code(session, code=request.code)
    if await repository.batch(session, code=request.code) is not None:
        raise Problem(409, detail=f"batch {request.code!r} exists already",
                      errors=[{"field": "body.code", "reason": "already used"}])
    ends_on = request.ends_on or cycle_end(request.starts_on, request.cycle_years).value
    batch = Batch(
        code=request.code, name=request.name, kind=request.kind, organiser_level=request.organiser_level,
        document_no=request.document_no, starts_on=request.starts_on, cycle_years=request.cycle_years,
        ends_on=ends_on, planned_ends_on=ends_on, policy=policy, created_by=by.key_id,
    )
    session.add(batch)
    session.add_all(BatchGroup(batch_code=request.code, code=g.code, name=g.name) for g in request.groups)
    return await _publish(session, batch)


async def read(session: AsyncSession, *, code: str) -> BatchRead:
    return await _read(session, await repository.batch_or_404(session, code=code))


async def extend(session: AsyncSession, *, code: str, request: BatchExtension) -> BatchRead:
    """Seed 000: ops may extend the end date of the cycle."""
    batch = await repository.batch_or_404(session, code=code, for_update=True)
    if batch.ended_early_on is not None:
        raise Problem(409, detail=f"batch {code} ended early on {batch.ended_early_on}; it cannot be extended")
    if request.ends_on <= batch.ends_on:
        raise Problem(422, detail=f"the new end {request.ends_on} is not after the current end {batch.ends_on}",
                      errors=[{"field": "body.ends_on", "reason": f"must be after {batch.ends_on}"}])
    batch.ends_on = request.ends_on
    batch.document_no = request.document_no
    batch.updated_at = func.now()
    return await _publish(session, batch)


async def end_early(session: AsyncSession, *, code: str, request: BatchEarlyEnd) -> BatchRead:
    """Seed 000: the category entered national VBP; the batch's results stop on that day and
    volumes are assessed pro rata to it (MON-1)."""
    batch = await repository.batch_or_404(session, code=code, for_update=True)
    if batch.ended_early_on is not None:
        raise Problem(409, detail=f"batch {code} already ended early on {batch.ended_early_on}")
    if not batch.starts_on <= request.ended_on < batch.ends_on:
        raise Problem(422, detail=f"the early end must lie in {batch.starts_on} … the day before {batch.ends_on}",
                      errors=[{"field": "body.ended_on", "reason": "outside the cycle"}])
    batch.ended_early_on = request.ended_on
    batch.ends_on = request.ended_on
    batch.end_reason = f"{request.cause} ({request.document_no})"
    batch.updated_at = func.now()
    return await _publish(session, batch)


async def page(session: AsyncSession, *, cursor: str | None, limit: int, kind: str | None) -> BatchPage:
    rows = await repository.page(session, after=cursor, limit=limit + 1, kind=kind)
    rows, next_cursor = cut(rows, limit, lambda row: row.code)
    return BatchPage(items=[await _read(session, b) for b in rows], next_cursor=next_cursor)
