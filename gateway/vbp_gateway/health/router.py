from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from vbp_gateway.health import service
from vbp_gateway.runtime import RuntimeDep
from vbpkit.db.engine import SessionDep

router = APIRouter()


@router.get("/health", tags=["health"], summary="Gateway, each service, its database and the broker (GW-6)")
async def health(session: SessionDep, runtime: RuntimeDep) -> JSONResponse:
    body = await service.health(session, runtime)
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)
