"""Workbooks for download (openpyxl): one sheet per table, a bold header row, figures written
as numbers — amounts as exact decimals of yuan with two places, never floats or text — so a
bureau's spreadsheet sums them as they are.

A sheet given ``labels`` puts the Chinese column name in its first row and the API field name
under it (grey), data from the third row, the two header rows frozen; a workbook given a
``Cover`` opens on a 说明 sheet saying what it is, for which filters, when and by whom it was
generated (issue 23, item 4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import Any
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from vbpkit.runtime.clock import SHANGHAI

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YUAN = "#,##0.00"
RATE = "0.0000"


def yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen).scaleb(-2)


@dataclass
class Sheet:
    """A table: its title (≤ 31 characters, Excel's limit), header and rows. Columns named in
    ``money`` hold fen and are written as yuan; those in ``rates`` hold decimal strings."""

    title: str
    header: list[str]
    rows: list[list[Any]]
    money: set[str] = field(default_factory=set)
    rates: set[str] = field(default_factory=set)
    labels: dict[str, str] | None = None


@dataclass
class Cover:
    """The 说明 sheet: the workbook's title, the facts it was made for (month, region, filters)
    as (name, value) pairs, and when and by which principal it was generated."""

    title: str
    facts: list[tuple[str, Any]]
    generated_at: datetime
    generated_by: str


def workbook(sheets: list[Sheet], cover: Cover | None = None) -> bytes:
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    if cover is not None:
        _cover_sheet(book, cover, bold)
    for table in sheets:
        sheet = book.create_sheet(table.title[:31])
        if table.labels is not None:
            sheet.append([table.labels.get(name, name) for name in table.header])
            for cell in sheet[1]:
                cell.font = bold
            sheet.append(table.header)
            for cell in sheet[2]:
                cell.font = Font(italic=True, color="808080")
            sheet.freeze_panes = "A3"
        else:
            sheet.append(table.header)
            for cell in sheet[1]:
                cell.font = bold
        for row in table.rows:
            sheet.append([_value(name, value, table) for name, value in zip(table.header, row, strict=True)])
            for name, cell in zip(table.header, sheet[sheet.max_row]):
                if name in table.money:
                    cell.number_format = YUAN
                elif name in table.rates:
                    cell.number_format = RATE
        for index, name in enumerate(table.header, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(name) + 4))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _cover_sheet(book: Workbook, cover: Cover, bold: Font) -> None:
    sheet = book.create_sheet("说明")
    sheet.append([cover.title])
    sheet["A1"].font = Font(bold=True, size=14)
    generated_at = cover.generated_at.astimezone(SHANGHAI).replace(tzinfo=None)  # Excel keeps no zone
    for name, value in [*cover.facts, ("生成时间 (北京时间)", generated_at), ("生成者", cover.generated_by)]:
        sheet.append([name, value])
    sheet[f"B{sheet.max_row - 1}"].number_format = "yyyy-mm-dd hh:mm:ss"
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 40


def _value(name: str, value: Any, table: Sheet) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(SHANGHAI).replace(tzinfo=None)  # Excel keeps no zone: Beijing time
    if name in table.money:
        return yuan(value)
    if name in table.rates:
        try:
            return Decimal(value)
        except InvalidOperation:  # a word in a figure's column ("nothing to assess") stays a word
            return value
    return value


def attachment(filename: str) -> dict[str, str]:
    """The Content-Disposition of a download named ``filename`` (RFC 6266): an ASCII fallback and
    the exact UTF-8 name, so a hospital or batch code in any script never breaks the header
    (HTTP headers are Latin-1; issue 11 found a 500 there)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"}
