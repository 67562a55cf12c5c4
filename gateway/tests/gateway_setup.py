"""What the gateway's own tests share beside the fixtures: its admin key, problem checks, and a
service app served over real HTTP for the gateway to reach."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import uvicorn

ADMIN_KEY = "vbp_admin_gateway-tests-" + "g" * 24
PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body = response.json()
    assert body["status"] == status
    return body


@contextlib.asynccontextmanager
async def serving(app, port: int):
    """``app`` on 127.0.0.1:``port`` over real HTTP (uvicorn in this process, no lifespan) for the block."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()  # the error that kept it from starting
            await asyncio.sleep(0.02)
        yield
    finally:
        server.should_exit = True
        await task


class Recording:
    """An ASGI app in front of ``app`` that remembers each request's method and path."""

    def __init__(self, app):
        self.app = app
        self.requests: list[tuple[str, str]] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.requests.append((scope["method"], scope["path"]))
        await self.app(scope, receive, send)
