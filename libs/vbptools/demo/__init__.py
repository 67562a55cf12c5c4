"""Demo data. ``VBP_DEMO_DATA=1 make run``: something real to explore the API with (below);
``make demo``: half a year told through the API on the injectable clock (``vbptools.demo.story``).

A few institutions, and the national coronary-stent renewal of seed 003 as Chongqing
executes it (渝医保办〔2023〕3号) with its 14 winning products imported from the table
exactly as published (``deploy/demo/seed003_stents.csv``). Loading twice changes
nothing: every call is an idempotent upsert.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from vbptools.demo.world import HOSPITALS

STENT_TABLE = Path(__file__).resolve().parents[3] / "deploy" / "demo" / "seed003_stents.csv"

DEMO_INSTITUTIONS = [{"code": code, "name": name, "level": level, "kind": "public", "region_code": region}
                     for code, (name, level, region) in HOSPITALS.items()]

STENT_BATCH = {
    "code": "GJ-GMZJ-2023", "name": "国家组织冠脉支架集中带量接续采购", "kind": "consumable",
    "organiser_level": "national", "document_no": "渝医保办〔2023〕3号", "starts_on": "2023-01-31",
    "cycle_years": 3, "preset": "chongqing-stent-2023",
}


async def load(client: httpx.AsyncClient) -> None:
    (await client.post("/catalog/institutions", json={"rows": DEMO_INSTITUTIONS})).raise_for_status()
    created = await client.post("/catalog/batches", json=STENT_BATCH)
    if created.status_code != 409:  # 409: loaded on an earlier run
        created.raise_for_status()
    imported = await client.post(f"/catalog/batches/{STENT_BATCH['code']}/products/import",
                                 content=STENT_TABLE.read_bytes(), headers={"Content-Type": "text/csv"})
    imported.raise_for_status()
