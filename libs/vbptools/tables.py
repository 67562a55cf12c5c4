"""The files ``vbp upload`` reads: a ``.csv`` (UTF-8 or GB18030) or ``.xlsx`` whose first row
names the API's fields, or a HIS's ``.json`` export of national 进销存 rows (MON-11)."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from vbptools.mistakes import UNREADABLE, Stop

NATIONAL_WRAPPERS = ("rows", "purcinfo", "invinfo", "selinfo", "data")
LISTS = {"roles"}  # cells holding several values: 生产企业;配送企业 → a list
# whole-number fields of the rows (a table's cells are text; codes like 500103 stay text)
INTEGERS = {"level", "agreement_year", "product_id", "quantity", "line_no", "plan_id", "tranche"}
BOOLEANS = {"winning": {"true": True, "是": True, "1": True, "false": False, "否": False, "0": False}}


def read_json(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """The rows of a HIS's JSON export of national rows: a list, one object, the rows under a
    wrapper key (``purcinfo`` …, itself possibly a JSON text), or the national envelope."""
    try:
        body: Any = json.loads(path.read_bytes().decode("utf-8-sig"))
        if isinstance(body, dict) and "input" in body:
            body = json.loads(body["input"]) if isinstance(body["input"], str) else body["input"]
        if isinstance(body, dict):
            wrapper = next((k for k in NATIONAL_WRAPPERS if k in body), None)
            if wrapper:
                body = json.loads(body[wrapper]) if isinstance(body[wrapper], str) else body[wrapper]
    except (UnicodeDecodeError, ValueError) as error:
        raise Stop(f"cannot read {path}: not a JSON export of rows ({error})", UNREADABLE) from None
    rows = [body] if isinstance(body, dict) else body
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise Stop(f"cannot read {path}: no rows (a list of objects, {{\"purcinfo\": [...]}} or the national "
                   "envelope)", UNREADABLE)
    header = list(dict.fromkeys(name for r in rows for name in r))
    return header, rows


def read_table(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """The header and the rows of a .csv, .xlsx or .json; empty cells are left out of a row."""
    if path.suffix.lower() == ".json":
        return read_json(path)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        except (zipfile.BadZipFile, KeyError, IndexError, ValueError) as error:
            raise Stop(f"cannot read {path}: not a workbook openpyxl can open ({error})", UNREADABLE) from None
        table = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    else:
        content = path.read_bytes()
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("gb18030")
            except UnicodeDecodeError:
                raise Stop(f"cannot read {path}: neither UTF-8 nor GB18030 text", UNREADABLE) from None
        table = list(csv.reader(io.StringIO(text, newline="")))
    if not table:
        raise Stop(f"{path} is empty: its first row names the API's fields", UNREADABLE)
    header = [h.strip() for h in table[0]]
    rows = []
    for values in table[1:]:
        if not any(v.strip() for v in values):
            continue
        row = {}
        for name, value in zip(header, values):
            value = value.strip()
            if name and value:
                row[name] = _cell(name, value)
        rows.append(row)
    return header, rows


def _cell(name: str, value: str) -> Any:
    if name in LISTS:
        return [v for v in re.split(r"[;；,，、]\s*", value) if v]
    if name in INTEGERS and re.fullmatch(r"-?[0-9]+(\.0+)?", value):
        return int(float(value)) if "." in value else int(value)  # a spreadsheet writes 3 as 3.0
    if name in BOOLEANS and value.lower() in BOOLEANS[name]:
        return BOOLEANS[name][value.lower()]
    return value
