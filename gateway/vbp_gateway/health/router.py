from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from vbp_gateway.auth import credential, principal_of
from vbp_gateway.health import service
from vbp_gateway.runtime import RuntimeDep
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import Role

router = APIRouter()


@router.get("/health", tags=["health"],
            summary="Gateway, each service, its database and the broker (GW-6): `status` alone without a key, "
                    "every part's detail with an admin's")
async def health(request: Request, session: SessionDep, runtime: RuntimeDep) -> JSONResponse:
    """A load balancer or a monitor polls this without a key and learns only ``ok`` (200) or
    ``degraded`` (503); services, consumer lags, restarts and parked events are an operator's
    business, shown to an admin key or an admin's bearer token (issue 23, item 8). A key that
    is sent is checked as on every route: a wrong one is a 401."""
    full = False
    if credential(dict(request.scope["headers"])) is not None:
        full = (await principal_of(request, runtime)).role is Role.ADMIN
    body = await service.health(session, runtime)
    status_code = 200 if body["status"] == "ok" else 503
    return JSONResponse(body if full else {"status": body["status"]}, status_code=status_code)
