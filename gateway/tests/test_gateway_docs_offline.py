"""Issue 11, item 2: Swagger UI and ReDoc come from the platform's own files — the pages name
no other host, and every script and stylesheet they load is served by the gateway — so the
docs work on a network with no way out."""

from __future__ import annotations

import re

import httpx
from testsupport import IDENTITY_KEY
from vbp_gateway.main import create_app
from vbp_gateway.settings import GatewaySettings
from vbptools.embedded import free_port


async def test_the_docs_pages_load_everything_from_the_gateway(new_database, kafka):
    settings = GatewaySettings(database_url=await new_database("gwdocs"), kafka_bootstrap_servers=kafka,
                               identity_key=IDENTITY_KEY, admin_api_key="vbp_admin_docs-tests-" + "d" * 24,
                               catalog_url=f"http://127.0.0.1:{free_port()}")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
            for page in ("/docs", "/redoc"):
                html = (await client.get(page)).text
                assert not re.search(r"(src|href)=[\"']?(https?:)?//", html), (page, html)
                assets = re.findall(r"(?:src|href)=[\"']([^\"']+)[\"']", html)
                assert assets, page
                for asset in assets:
                    loaded = await client.get(asset)
                    assert loaded.status_code == 200 and len(loaded.content) > 1000, (page, asset)
