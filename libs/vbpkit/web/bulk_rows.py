"""Bulk uploads (DESIGN §5): up to 10,000 rows, each validated on its own, so one bad
row is reported by number and field while the good rows are stored. Every service's
bulk endpoint (listings, registries, agreed volumes, orders, invoices …) keeps one convention
(issue 23, item 2; README "Calling the API"):

- **200** when every row was stored (created, updated or found unchanged); **207** when some
  rows were refused and the others stored — the answer's ``errors[]`` says which; **422**
  (problem+json) when no row could be stored, nothing stored;
- rows are numbered **from 1** in the order the client sent them (``row: 1`` is ``rows[0]``),
  as a spreadsheet's data rows are counted; a problem's ``field`` keeps the JSON location
  (``body.rows.0.code``), which is 0-based like every JSON path;
- a reason is a sentence for a person, without a library's prefix ("Value error, ")."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Literal, TypeVar

from fastapi import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vbpkit.web.input_guard import unstorable
from vbpkit.web.problems import Problem, error_location, plain_reason

MAX_BULK_ROWS = 10_000
M = TypeVar("M", bound=BaseModel)


ROW_NUMBER = "the row's number in the request, from 1 (row 1 is the first element of the list sent)"


class RowError(BaseModel):
    row: int = Field(ge=1, description=ROW_NUMBER)
    field: str
    reason: str


class BulkRows(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rows: list[dict] = Field(
        min_length=1, max_length=MAX_BULK_ROWS,
        description="up to 10,000 rows; each row is validated on its own",
    )


class RowOutcome(BaseModel):
    row: int = Field(ge=1, description=ROW_NUMBER)
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
    """Valid rows by key, each with its row number from 1 (first occurrence wins, later
    duplicates are row errors) and the errors."""
    valid: dict[Hashable, tuple[int, M]] = {}
    errors: list[RowError] = []
    for index, raw in enumerate(rows, start=1):
        unstored = unstorable(raw)
        if unstored:  # PostgreSQL would refuse the whole push for this one row (issue 11)
            errors.extend(RowError(row=index, field=where or "row", reason=reason) for where, reason in unstored)
            continue
        try:
            row = model.model_validate(raw, context=context)
        except ValidationError as exc:
            errors.extend(
                # "row" only when the row itself is not an object; a rule across fields names its field
                RowError(row=index, field=error_location(e) or "row", reason=plain_reason(e["msg"]))
                for e in exc.errors()
            )
            continue
        row_key = key(row)
        if row_key in valid:
            errors.append(RowError(row=index, field=key_field, reason=f"duplicates row {valid[row_key][0]} of this request"))
            continue
        valid[row_key] = (index, row)
    return valid, errors


def refuse_if_nothing_valid(received: int, errors: list[RowError], *, rows_field: str = "rows") -> None:
    raise nothing_stored(f"all {received} rows are invalid; nothing was stored", errors, rows_field=rows_field)


def nothing_stored(detail: str, errors: list, *, rows_field: str = "rows") -> Problem:
    """The 422 of a bulk call of which no row could be stored: each error with its row number
    and its JSON location (``body.rows.0.code`` for row 1)."""
    located = []
    for error in errors:
        error = error.model_dump(exclude_none=True) if isinstance(error, BaseModel) else dict(error)
        where = error["field"] if error["field"] != "row" else ""
        located.append({**error, "field": ".".join(filter(None, (f"body.{rows_field}.{error['row'] - 1}", where)))})
    return Problem(422, "validation-error", "No valid rows", detail, errors=located)


def bulk_status(response: Response, *, stored: int, errors: list, rows_field: str = "rows") -> None:
    """The bulk convention's status: 200 when every row went in, 207 when some were refused and
    others stored, and a 422 raised (the unit of work rolls back) when none was."""
    if errors and not stored:
        raise nothing_stored(f"no row could be stored ({len(errors)} refusals); nothing was stored",
                             errors, rows_field=rows_field)
    response.status_code = 207 if errors else 200


def answered(response: Response, result: BulkResult) -> BulkResult:
    """``result`` with the convention's status set on ``response`` (see ``bulk_status``)."""
    bulk_status(response, stored=result.created + result.updated + result.unchanged, errors=result.errors)
    return result


def rows_example(summary: str, *rows: dict) -> dict:
    """A bulk body's ``openapi_examples`` (Swagger UI's "Try it out" starts from it)."""
    return {"rows": {"summary": summary, "value": {"rows": list(rows)}}}


# a bulk route's ``responses=``: what its 207 and 422 mean
BULK_RESPONSES: dict[int | str, dict] = {
    207: {"description": "some rows were refused and the others stored; `errors[]` names each refused row"},
}
