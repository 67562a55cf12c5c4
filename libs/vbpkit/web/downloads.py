"""A list a person reads, as ``.csv`` or ``.xlsx`` beside its JSON (issue 23, items 3 and 4).

One convention for every download:

- ``?format=json`` (the default) answers the route's JSON; ``csv`` and ``xlsx`` answer **every
  row the filters select**, not one page (``cursor`` and ``limit`` do not apply), up to
  ``DOWNLOAD_MAX_ROWS`` — beyond that a 422 asks for narrower filters;
- a CSV is UTF-8 with a byte-order mark (Excel opens it in the right encoding) and one header
  row of the API's field names, so a program reads it as it reads the JSON;
- a workbook opens on a cover sheet (说明: what it is, the filters, when it was generated and by
  which principal), then the table with the Chinese column name above the API field name,
  money as numbers of yuan, dates as dates;
- a column is a ``Column``: the field name, its Chinese label and how to write its values.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import StringIO
from typing import Any, Literal

from fastapi import Response

from vbpkit.web.problems import Problem
from vbpkit.web.xlsx import MEDIA_TYPE, Cover, Sheet, attachment, workbook, yuan

Format = Literal["json", "csv", "xlsx"]
DOWNLOAD_MAX_ROWS = 100_000
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
# a route's ``responses=``: its 200 may also be either file
DOWNLOADS: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}, MEDIA_TYPE: {}}}}


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: Literal["text", "number", "money", "rate", "date"] = "text"


def too_many_rows(count: int) -> Problem:
    return Problem(422, "validation-error", "Invalid request",
                   f"the filters select more than {DOWNLOAD_MAX_ROWS:,} rows ({count:,}); narrow them to download",
                   errors=[{"field": "query.format", "reason": f"more than {DOWNLOAD_MAX_ROWS:,} rows to download"}])


def download(format: Format, *, title: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]],
             filename: str, generated_at: datetime, generated_by: str,
             filters: dict[str, Any] | None = None) -> Response:
    """``rows`` as ``format`` (``csv`` or ``xlsx``); money columns hold fen."""
    rows = list(rows)
    if len(rows) > DOWNLOAD_MAX_ROWS:
        raise too_many_rows(len(rows))
    if format == "csv":
        out = StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow([c.name for c in columns])
        for row in rows:
            writer.writerow([_csv_value(row.get(c.name), c) for c in columns])
        return Response(out.getvalue().encode(), media_type=CSV_MEDIA_TYPE, headers=attachment(f"{filename}.csv"))
    cover = Cover(title=title, facts=[*((key, value) for key, value in (filters or {}).items() if value is not None)],
                  generated_at=generated_at, generated_by=generated_by)
    sheet = Sheet(title, [c.name for c in columns], [[row.get(c.name) for c in columns] for row in rows],
                  money={c.name for c in columns if c.kind == "money"},
                  rates={c.name for c in columns if c.kind == "rate"},
                  labels={c.name: c.label for c in columns})
    return Response(workbook([sheet], cover=cover), media_type=MEDIA_TYPE, headers=attachment(f"{filename}.xlsx"))


def _csv_value(value: Any, column: Column) -> Any:
    if value is None:
        return ""
    if column.kind == "money":
        return str(yuan(value))
    return value
