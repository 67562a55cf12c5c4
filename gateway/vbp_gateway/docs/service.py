"""What the documents answer: the merged OpenAPI document, Swagger UI and ReDoc, and the AsyncAPI
document of the platform's events.

Swagger UI and ReDoc come from the platform's own files (fastapi-offline's bundle), not a CDN:
the docs work on a network with no way out, as government networks often are (issue 11)."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from vbp_gateway.runtime import GatewayRuntime
from vbpkit.events.asyncapi import asyncapi_document

ASSETS_PATH = "/docs-assets"
ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
TITLE = "VBP platform — API"


def assets() -> StaticFiles:
    return StaticFiles(directory=ASSETS)


async def merged_document(runtime: GatewayRuntime, gateway_document: dict) -> dict:
    """The gateway's own document with every service's merged in under its prefix."""
    return await runtime.documents.get(gateway_document)


def swagger_page() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title=TITLE,
                               swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
                               swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
                               swagger_favicon_url=f"{ASSETS_PATH}/favicon.png")


def redoc_page() -> HTMLResponse:
    return get_redoc_html(openapi_url="/openapi.json", title=TITLE, redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
                          redoc_favicon_url=f"{ASSETS_PATH}/favicon.png", with_google_fonts=False)


def events_document() -> dict:
    return asyncapi_document()
