"""Bulk uploads (DESIGN §5): up to 10,000 rows, each validated on its own, so one bad
row is reported by index and field while the good rows are stored. Every service's
bulk endpoint (listings, registries, agreed volumes …) speaks this same shape."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vbpkit.web.input_guard import unstorable
from vbpkit.web.problems import Problem, error_location

MAX_BULK_ROWS = 10_000
M = TypeVar("M", bound=BaseModel)


class RowError(BaseModel):
    row: int = Field(description="0-based index of the row in the request")
    field: str
    reason: str


class BulkRows(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rows: list[dict] = Field(
        min_length=1, max_length=MAX_BULK_ROWS,
        description="up to 10,000 rows; each row is validated on its own",
    )


class RowOutcome(BaseModel):
    row: int = Field(description="0-based index of the row in the request")
    id: int = Field(description="the id of what the row created or updated")
    outcome: Literal["created", "updated", "unchanged"]


class BulkResult(BaseModel):
    received: int
    created: int
    updated: int
    unchanged: int
    errors: list[RowError]
    items: list[RowOutcome] = Field(default_factory=list, description=(
        "each stored row's id, where the resource has one, so a client never searches for what it "
        "just pushed (issue 12)"))


def validate_rows(
    rows: list[dict], model: type[M], *, key: Callable[[M], Hashable], key_field: str,
    context: dict | None = None,
) -> tuple[dict[Hashable, tuple[int, M]], list[RowError]]:
    """Valid rows by key (first occurrence wins, later duplicates are row errors) and the errors."""
    valid: dict[Hashable, tuple[int, M]] = {}
    errors: list[RowError] = []
    for index, raw in enumerate(rows):
        unstored = unstorable(raw)
        if unstored:  # PostgreSQL would refuse the whole push for this one row (issue 11)
            errors.extend(RowError(row=index, field=where or "row", reason=reason) for where, reason in unstored)
            continue
        try:
            row = model.model_validate(raw, context=context)
        except ValidationError as exc:
            errors.extend(
                # "row" only when the row itself is not an object; a rule across fields names its field
                RowError(row=index, field=error_location(e) or "row", reason=e["msg"])
                for e in exc.errors()
            )
            continue
        row_key = key(row)
        if row_key in valid:
            errors.append(RowError(row=index, field=key_field, reason=f"duplicates row {valid[row_key][0]} of this request"))
            continue
        valid[row_key] = (index, row)
    return valid, errors


def refuse_if_nothing_valid(received: int, errors: list[RowError]) -> None:
    raise Problem(
        422, "validation-error", "No valid rows", f"all {received} rows are invalid; nothing was stored",
        errors=[{"field": f"body.rows.{e.row}.{e.field}", "reason": e.reason} for e in errors],
    )
