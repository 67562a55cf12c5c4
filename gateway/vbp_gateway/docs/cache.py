"""The merged document as ``/openapi.json`` serves it: merged again at most every
``DOCS_CACHE_SECONDS``, and at the next request when a service was missing from it."""

from __future__ import annotations

import time

import httpx

from vbp_gateway.docs.fetch import fetch_service_documents
from vbp_gateway.docs.merge import merge

DOCS_CACHE_SECONDS = 30.0


class MergedDocument:
    def __init__(self, client: httpx.AsyncClient, upstreams: dict[str, str], key: bytes):
        self._client, self._upstreams, self._key = client, upstreams, key
        self._expires = 0.0
        self._merged: dict | None = None
        self._complete = False

    async def get(self, gateway_document: dict) -> dict:
        if self._merged is None or not self._complete or self._expires < time.monotonic():
            documents = await fetch_service_documents(self._client, self._upstreams, self._key)
            self._merged = merge(gateway_document, documents)
            self._complete = None not in documents.values()
            self._expires = time.monotonic() + DOCS_CACHE_SECONDS
        return self._merged
