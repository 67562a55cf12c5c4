"""CAT-9 registry of institutions: bulk upsert with per-row errors, one event per change."""

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_catalog.institutions import repository
from vbp_catalog.institutions.schemas import BulkResult, InstitutionWrite, RowError
from vbpkit import outbox
from vbpkit.events.catalog import InstitutionRegistered
from vbpkit.problems import Problem

FIELDS = ("name", "level", "kind", "region_code")


def _validate(rows: list[dict]) -> tuple[dict[str, InstitutionWrite], list[RowError]]:
    valid: dict[str, InstitutionWrite] = {}
    errors: list[RowError] = []
    first_row: dict[str, int] = {}
    for index, raw in enumerate(rows):
        try:
            row = InstitutionWrite.model_validate(raw)
        except ValidationError as exc:
            errors.extend(
                RowError(row=index, field=".".join(str(p) for p in e["loc"]) or "row", reason=e["msg"])
                for e in exc.errors()
            )
            continue
        if row.code in first_row:
            errors.append(RowError(row=index, field="code", reason=f"duplicates row {first_row[row.code]} of this request"))
            continue
        first_row[row.code] = index
        valid[row.code] = row
    return valid, errors


async def register_institutions(session: AsyncSession, *, rows: list[dict]) -> BulkResult:
    """Upsert the valid rows; unchanged rows emit nothing, so a re-sent file is a no-op."""
    valid, errors = _validate(rows)
    if not valid:
        raise Problem(
            422, "validation-error", "No valid rows", f"all {len(rows)} rows are invalid; nothing was stored",
            errors=[{"field": f"body.rows.{e.row}.{e.field}", "reason": e.reason} for e in errors],
        )
    existing = await repository.by_codes(session, valid)
    changed = [
        row for code, row in valid.items()
        if code not in existing
        or any(getattr(existing[code], f) != getattr(row, f) for f in FIELDS)
    ]
    await repository.upsert(session, [row.model_dump() for row in changed])
    for row in changed:
        outbox.add(session, InstitutionRegistered(**row.model_dump()), key=row.code)
    created = sum(1 for row in changed if row.code not in existing)
    return BulkResult(
        received=len(rows),
        created=created,
        updated=len(changed) - created,
        unchanged=len(valid) - len(changed),
        errors=errors,
    )
