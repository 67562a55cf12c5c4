"""Bulk uploads (DESIGN §5): up to 10,000 rows, each validated on its own."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_BULK_ROWS = 10_000


class RowError(BaseModel):
    row: int = Field(description="0-based index of the row in the request")
    field: str
    reason: str


class BulkRows(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rows: list[dict] = Field(min_length=1, max_length=MAX_BULK_ROWS)


class BulkResult(BaseModel):
    received: int
    created: int
    updated: int
    unchanged: int
    errors: list[RowError]
