"""GW-1/GW-3: forward a request to its service with the principal signed, bodies streamed."""

from __future__ import annotations

import httpx
from fastapi import Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from vbpkit import identity
from vbpkit.identity import Principal
from vbpkit.problems import Problem
from vbpkit.request_id import current as current_request_id

HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "host", "content-length",
})
DROPPED = HOP_BY_HOP | {"authorization", "x-api-key", *identity.IDENTITY_HEADERS}


async def forward(
    client: httpx.AsyncClient, request: Request, *, base_url: str, service: str, path: str,
    principal: Principal, key: bytes,
) -> Response:
    upstream_path = "/" + path
    query = request.scope.get("query_string", b"").decode("latin-1")
    headers = [(k, v) for k, v in request.headers.items() if k.lower() not in DROPPED]
    headers += list(identity.sign(principal, key=key, method=request.method, path=upstream_path, query=query).items())
    headers.append(("x-request-id", current_request_id.get()))
    # The raw query string is forwarded untouched: it is what the signature covers.
    upstream = client.build_request(
        request.method,
        httpx.URL(base_url + upstream_path, query=query.encode("latin-1")),
        headers=headers,
        content=request.stream() if request.method not in ("GET", "HEAD") else None,
    )
    try:
        response = await client.send(upstream, stream=True)
    except httpx.TimeoutException:
        raise Problem(504, detail=f"the {service} service did not answer in time") from None
    except httpx.HTTPError as exc:
        raise Problem(502, detail=f"the {service} service is unreachable ({type(exc).__name__})") from None
    response_headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in HOP_BY_HOP]
    return StreamingResponse(
        response.aiter_raw(),
        status_code=response.status_code,
        headers=dict(_merge(response_headers)),
        background=BackgroundTask(response.aclose),
    )


def _merge(headers: list[tuple[str, str]]):
    seen: dict[str, str] = {}
    for k, v in headers:
        if k.lower() == "x-request-id":
            continue
        seen[k] = f"{seen[k]}, {v}" if k in seen else v
    return seen.items()
