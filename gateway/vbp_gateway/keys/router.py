from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from vbp_gateway.auth import AdminDep, PrincipalDep
from vbp_gateway.keys import service
from vbp_gateway.keys.schemas import ApiKeyCreate, ApiKeyIssued, ApiKeyPage, ApiKeyRead, Me
from vbp_gateway.runtime import RuntimeDep
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import Role

router = APIRouter(tags=["admin"])


@router.post("/admin/api-keys", status_code=201, response_model=ApiKeyIssued,
             summary="Issue an API key (GW-2); the key is shown only in this response")
async def issue_key(body: ApiKeyCreate, admin: AdminDep, session: SessionDep) -> ApiKeyIssued:
    return await service.issue(session, body, by=admin)


@router.get("/admin/api-keys", response_model=ApiKeyPage,
            summary="List API keys, a page at a time (never their secrets)")
async def list_keys(
    admin: AdminDep, session: SessionDep, include_revoked: Annotated[bool, Query()] = False,
    role: Annotated[Role | None, Query()] = None, tenant: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Annotated[str | None, Query(max_length=32, pattern=r"^[0-9a-f]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ApiKeyPage:
    return await service.page(session, include_revoked=include_revoked, after=cursor, limit=limit, role=role,
                              tenant=tenant)


@router.get("/me", response_model=Me,
            summary="Who you are to the platform: role, tenant, key id and where your rate limit stands (GW-2, GW-4)")
async def me(principal: PrincipalDep, runtime: RuntimeDep) -> Me:
    return await service.me(principal, runtime.limits)


@router.delete("/admin/api-keys/{key_id}", response_model=ApiKeyRead,
               summary="Revoke an API key; it stops working at once")
async def revoke_key(key_id: str, admin: AdminDep, session: SessionDep, runtime: RuntimeDep) -> ApiKeyRead:
    return await service.revoke(session, key_id=key_id, store=runtime.key_store)
