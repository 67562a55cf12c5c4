"""A page of the audit trail as CSV (UTF-8 with a BOM, so spreadsheet programs read its Chinese)."""

from __future__ import annotations

import csv
import io

from vbp_gateway.audit.schemas import AuditRead

COLUMNS = list(AuditRead.model_fields)


def as_csv(rows: list[AuditRead]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([getattr(row, c).isoformat() if c == "at" else getattr(row, c) for c in COLUMNS])
    return out.getvalue().encode("utf-8-sig")
