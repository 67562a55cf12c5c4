"""Import of a winning-product table laid out like seed 003's (CAT-3).

Columns are found by their Chinese headings (序号, 产品名称, 注册证编号, 申报企业,
医疗器械注册人, 产品价格, 伴随服务价格, 中选价格); units such as "(元)" and full-width
brackets or spaces in a heading do not matter. Cell text is normalised the way the
listing rows are (CAT-3), so names broken across lines in the source compare equal.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from vbpkit.web.problems import Problem

CSV_TYPES = ("text/csv", "application/csv", "text/plain")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS = {
    "序号": "line",
    "产品名称": "name",
    "注册证编号": "registration_no",
    "申报企业": "applicant",
    "医疗器械注册人": "registrant",
    "注册人": "registrant",
    "规格型号": "spec",
    "产品价格": "product_price",
    "伴随服务价格": "service_price",
    "中选价格": "winning_price",
}
REQUIRED = ("name", "registration_no", "applicant", "registrant", "product_price", "winning_price")


def _heading(text: object) -> str:
    plain = unicodedata.normalize("NFKC", str(text or ""))
    plain = re.sub(r"\((元|yuan)\)", "", plain, flags=re.I)
    return re.sub(r"\s+", "", plain)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):  # spreadsheets store 680 as 680.0
        try:
            return format(Decimal(str(value)).normalize(), "f")
        except InvalidOperation:
            return str(value)
    return str(value).strip()


def _table(raw_rows: list[list[object]]) -> list[dict]:
    for position, raw in enumerate(raw_rows):
        headings = [_heading(cell) for cell in raw]
        if "注册证编号" in headings:
            mapping = {i: COLUMNS[h] for i, h in enumerate(headings) if h in COLUMNS}
            missing = [c for c in REQUIRED if c not in mapping.values()]
            if missing:
                raise Problem(422, "import-layout", detail=f"the table has no column for {', '.join(missing)}")
            rows = []
            for data in raw_rows[position + 1:]:
                cells = {field: _cell(data[i]) if i < len(data) else "" for i, field in mapping.items()}
                if not any(cells.values()):
                    continue
                cells.pop("line", None)
                rows.append({k: v for k, v in cells.items() if v != "" or k in REQUIRED})
            if not rows:
                raise Problem(422, "import-layout", detail="the table has a heading row but no data rows")
            return rows
    raise Problem(422, "import-layout", detail="no heading row with 注册证编号 was found")


def parse(content: bytes, content_type: str) -> list[dict]:
    media = content_type.split(";")[0].strip().lower()
    if not content.strip():
        raise Problem(422, "validation-error", "Empty table", "the body holds no table: send the headings and rows",
                      errors=[{"field": "body", "reason": "empty"}])
    if media == XLSX_TYPE:
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:
            raise Problem(400, "unreadable-file", detail="the body is not a readable .xlsx workbook") from None
        sheet = book.worksheets[0]
        return _table([list(row) for row in sheet.iter_rows(values_only=True)])
    if media in CSV_TYPES:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("gb18030")
            except UnicodeDecodeError:
                raise Problem(400, "unreadable-file", detail="the CSV is neither UTF-8 nor GB18030") from None
        dialect = "excel-tab" if "\t" in text.splitlines()[0] else "excel"
        try:
            # newline="": a lone carriage return inside a cell is the cell's, not a row's end
            return _table([list(row) for row in csv.reader(io.StringIO(text, newline=""), dialect=dialect)])
        except csv.Error as exc:
            raise Problem(400, "unreadable-file", detail=f"the CSV cannot be read: {exc}",
                          errors=[{"field": "body", "reason": str(exc)}]) from None
    raise Problem(415, detail=f"send the table as text/csv or {XLSX_TYPE}, not {media or 'nothing'}")
