"""The seed-003 winning-product table imported end to end from .csv and .xlsx (CAT-3),
through the gateway; shared setup in tests/testsupport/catalog_setup.py.
"""

from __future__ import annotations

import csv
import io

import httpx
from openpyxl import Workbook

from testsupport.catalog_setup import (
    PROBLEM,
    Roles,
    assert_problem,
    create_batch,
    new_code,
    products_of,
)
from testsupport import ROOT


# the seed-003 winning-product table as published (also the demo data of `make run`)
STENT_CSV = ROOT / "deploy" / "demo" / "seed003_stents.csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Seed 003's table as the catalog must store it: numbers without the space, names joined
# where the PDF broke the line, full-width brackets folded (CAT-3).
SEED_003 = [
    ("国械注准20163132305", "冠脉雷帕霉素洗脱钴基合金支架系统", "上海微创医疗器械(集团)有限公司", "上海微创医疗器械(集团)有限公司", "680.00", "50.00", "730.00"),
    ("国械注准20203131021", "药物洗脱支架系统", "赛诺医疗科学技术股份有限公司", "赛诺医疗科学技术股份有限公司", "729.00", "50.00", "779.00"),
    ("国械注准20163131174", "药物支架系统", "深圳市金瑞凯利生物科技有限公司", "深圳市金瑞凯利生物科技有限公司", "747.00", "48.00", "795.00"),
    ("国械注准20193131802", "药物洗脱冠脉支架系统", "易生科技(北京)有限公司", "易生科技(北京)有限公司", "795.00", "1.00", "796.00"),
    ("国械注准20203130662", "冠脉雷帕霉素洗脱钴基合金支架系统", "上海微创医疗器械(集团)有限公司", "上海微创医疗器械(集团)有限公司", "750.00", "50.00", "800.00"),
    ("国械注进20163130682", "药物洗脱冠脉支架系统", "美敦力(上海)管理有限公司", "Medtronic Inc.", "786.00", "20.00", "806.00"),
    ("国械注准20173131407", "药物涂层支架系统(雷帕霉素)", "山东吉威医疗制品有限公司", "山东吉威医疗制品有限公司", "774.00", "50.00", "824.00"),
    ("国械注准20223131270", "药物洗脱支架系统", "赛诺医疗科学技术股份有限公司", "赛诺医疗科学技术股份有限公司", "789.00", "50.00", "839.00"),
    ("国械注准20223130495", "钴铬合金生物可降解涂层雷帕霉素洗脱冠脉支架系统", "山东吉威医疗制品有限公司", "山东吉威医疗制品有限公司", "795.00", "50.00", "845.00"),
    ("国械注进20153130608", "铂铬合金依维莫司洗脱冠状动脉支架系统", "波科国际医疗贸易(上海)有限公司", "Boston Scientific Corporation", "798.00", "48.00", "846.00"),
    ("国械注准20173130564", "钴基合金雷帕霉素洗脱支架系统", "乐普(北京)医疗器械股份有限公司", "乐普(北京)医疗器械股份有限公司", "798.00", "50.00", "848.00"),
    ("国械注准20163130595", "冠状动脉钴铬合金可降解涂层雷帕霉素药物洗脱支架系统", "万瑞飞鸿(北京)医疗器械有限公司", "万瑞飞鸿(北京)医疗器械有限公司", "798.00", "50.00", "848.00"),
    ("国械注进20163132140", "钴铬合金依维莫司洗脱冠脉支架系统", "雅培医疗器械贸易(上海)有限公司", "Abbott Vascular", "798.00", "50.00", "848.00"),
    ("国械注准20223131010", "冠脉雷帕霉素洗脱钴基合金支架系统", "上海微创医疗器械(集团)有限公司", "上海微创医疗器械(集团)有限公司", "798.00", "50.00", "848.00"),
]


def stent_xlsx() -> bytes:
    """The seed-003 CSV as a workbook, prices and line numbers as numbers."""
    with STENT_CSV.open(encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    book = Workbook()
    sheet = book.active
    sheet.append(["国家组织冠脉支架集中带量接续采购中选结果"])  # a title row above the headings
    sheet.append(table[0])
    for row in table[1:]:
        sheet.append([int(row[0]), *row[1:5], *(int(cell) for cell in row[5:])])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def import_table(roles: Roles, code: str, content: bytes, content_type: str) -> httpx.Response:
    return await roles.exchange.post(f"/catalog/batches/{code}/products/import", content=content,
                                     headers={"content-type": content_type})


def as_table(items: list[dict]) -> list[tuple]:
    return sorted(
        (p["registration_no"], p["name"], p["applicant"], p["registrant"], p["product_price"], p["service_price"],
         p["winning_price"]) for p in items
    )


class TestSeed003TableImport:
    """CAT-3: the seed-003 table imports as written — spaces in numbers, names broken across
    lines, full-width brackets — from .csv and from .xlsx, and a second import changes nothing."""

    async def test_the_csv_as_written_in_the_seed(self, roles):
        code = new_code("CAT3")
        await create_batch(roles, code, "chongqing-stent-2023", starts_on="2023-01-31", cycle_years=3)
        response = await import_table(roles, code, STENT_CSV.read_bytes(), "text/csv; charset=utf-8")
        assert response.status_code == 200, response.text
        assert (response.json()["created"], response.json()["errors"]) == (14, [])
        items = await products_of(roles.hospital, code)
        assert len(items) == 14
        assert as_table(items) == sorted(SEED_003)
        first = next(p for p in items if p["registration_no"] == "国械注准20163132305")
        assert (first["product_price"], first["service_price"], first["winning_price"]) == ("680.00", "50.00", "730.00")
        medtronic = next(p for p in items if p["registration_no"] == "国械注进20163130682")
        assert medtronic["applicant"] == "美敦力(上海)管理有限公司"

        again = await import_table(roles, code, STENT_CSV.read_bytes(), "text/csv")
        assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (0, 0, 14)

    async def test_the_xlsx_gives_the_same_catalog(self, roles):
        code = new_code("CAT3")
        await create_batch(roles, code, "chongqing-stent-2023", starts_on="2023-01-31", cycle_years=3)
        response = await import_table(roles, code, stent_xlsx(), XLSX)
        assert response.status_code == 200, response.text
        assert (response.json()["created"], response.json()["errors"]) == (14, [])
        assert as_table(await products_of(roles.hospital, code)) == sorted(SEED_003)
        again = await import_table(roles, code, stent_xlsx(), XLSX)
        assert again.json()["unchanged"] == 14

    async def test_a_table_without_the_registration_heading_is_refused(self, roles):
        code = new_code("CAT3")
        await create_batch(roles, code, "chongqing-stent-2023")
        content = STENT_CSV.read_text(encoding="utf-8").replace("注册证编号", "编号", 1).encode()
        body = assert_problem(await import_table(roles, code, content, "text/csv"), 422)
        assert "注册证编号" in body["detail"]
        assert await products_of(roles.exchange, code) == []

    async def test_a_wrong_content_type_is_415(self, roles):
        code = new_code("CAT3")
        await create_batch(roles, code, "chongqing-stent-2023")
        assert_problem(await import_table(roles, code, STENT_CSV.read_bytes(), "application/json"), 415)
        assert await products_of(roles.exchange, code) == []

    async def test_a_broken_workbook_is_a_4xx(self, roles):
        code = new_code("CAT3")
        await create_batch(roles, code, "chongqing-stent-2023")
        response = await import_table(roles, code, b"PK\x03\x04 not really a workbook", XLSX)
        assert 400 <= response.status_code < 500 and response.headers["content-type"].startswith(PROBLEM)
        assert await products_of(roles.exchange, code) == []
