from typing import Annotated, Literal

from fastapi import APIRouter, Query
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles

from vbp_catalog.batches import service
from vbp_catalog.batches.schemas import (
    BatchCreate,
    BatchEarlyEnd,
    BatchExtension,
    BatchPage,
    BatchRead,
)

router = APIRouter(prefix="/batches", tags=["batches"])
WRITERS = [require_roles(Role.EXCHANGE, Role.INSURER)]


@router.post("", status_code=201, response_model=BatchRead, dependencies=WRITERS,
             summary="Create a batch from a policy preset with overrides (CAT-1, §4)")
async def create_batch(body: BatchCreate, session: SessionDep, principal: PrincipalDep) -> BatchRead:
    return await service.create(session, body, by=principal)


@router.get("", response_model=BatchPage, summary="List batches")
async def list_batches(
    session: SessionDep, principal: PrincipalDep,
    cursor: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    kind: Annotated[Literal["drug", "consumable"] | None, Query()] = None,
) -> BatchPage:
    return await service.page(session, cursor=cursor, limit=limit, kind=kind)


@router.get("/{code}", response_model=BatchRead, summary="Read a batch with its policy")
async def read_batch(code: str, session: SessionDep, principal: PrincipalDep) -> BatchRead:
    return await service.read(session, code=code)


@router.post("/{code}/extension", response_model=BatchRead, dependencies=[require_roles(Role.INSURER)],
             summary="Extend the batch's end date (seed 000)")
async def extend_batch(code: str, body: BatchExtension, session: SessionDep) -> BatchRead:
    return await service.extend(session, code=code, request=body)


@router.post("/{code}/early-end", response_model=BatchRead, dependencies=[require_roles(Role.INSURER)],
             summary="End the batch early: its category entered national VBP (seed 000)")
async def end_batch_early(code: str, body: BatchEarlyEnd, session: SessionDep) -> BatchRead:
    return await service.end_early(session, code=code, request=body)
