from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from vbp_gateway.audit import service
from vbp_gateway.audit.export import as_csv
from vbp_gateway.audit.schemas import AuditPage
from vbp_gateway.auth import AdminDep
from vbpkit.db.engine import SessionDep
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.web.xlsx import attachment

router = APIRouter(tags=["admin"])


@router.get("/admin/audit-log", response_model=AuditPage, responses={200: {"content": {"text/csv": {}}}},
            summary="The audit trail: every write and failed authentication through the gateway, oldest first; "
                    "format=csv exports the page (admin)")
async def audit_log(
    admin: AdminDep, session: SessionDep,
    event: Annotated[Literal["write", "auth_failure", "key_issued", "key_revoked"] | None, Query()] = None,
    key_id: Annotated[str | None, Query(max_length=32)] = None,
    since: Annotated[datetime | None, Query(description="from this instant (ISO 8601 with offset)")] = None,
    until: Annotated[datetime | None, Query(description="before this instant")] = None,
    cursor: Annotated[int | None, Query(ge=0, le=BIGINT_MAX)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    format: Literal["json", "csv"] = "json",
):
    found = await service.page(session, after=cursor, limit=limit, event=event, key_id=key_id, since=since,
                               until=until)
    if format == "csv":
        return Response(as_csv(found.items), media_type="text/csv; charset=utf-8", headers=attachment("audit-log.csv"))
    return found
