"""Workbooks for download (openpyxl): one sheet per table, a bold header row, figures written
as numbers — amounts as exact decimals of yuan with two places, never floats or text — so a
bureau's spreadsheet sums them as they are."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO
from typing import Any
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

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


def workbook(sheets: list[Sheet]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for table in sheets:
        sheet = book.create_sheet(table.title[:31])
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


def _value(name: str, value: Any, table: Sheet) -> Any:
    if value is None:
        return None
    if name in table.money:
        return yuan(value)
    if name in table.rates:
        return Decimal(value)
    return value


def attachment(filename: str) -> dict[str, str]:
    """The Content-Disposition of a download named ``filename`` (RFC 6266): an ASCII fallback and
    the exact UTF-8 name, so a hospital or batch code in any script never breaks the header
    (HTTP headers are Latin-1; issue 11 found a 500 there)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"}
