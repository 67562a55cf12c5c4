"""``/openapi.json`` (merged), ``/docs`` and ``/redoc``, and ``/asyncapi.json``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from vbp_gateway.docs import service
from vbp_gateway.runtime import RuntimeDep

router = APIRouter()


@router.get("/openapi.json", include_in_schema=False)
async def openapi(request: Request, runtime: RuntimeDep) -> JSONResponse:
    return JSONResponse(await service.merged_document(runtime, request.app.openapi()))


@router.get("/docs", include_in_schema=False)
async def swagger():
    return service.swagger_page()


@router.get("/redoc", include_in_schema=False)
async def redoc():
    return service.redoc_page()


@router.get("/asyncapi.json", tags=["events"], summary="AsyncAPI document of every event the platform publishes")
async def asyncapi() -> dict:
    return service.events_document()
