"""CAT-9 registry of institutions: bulk upsert with per-row errors, one event per change."""

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit import outbox
from vbpkit.bulk import BulkResult, refuse_if_nothing_valid, validate_rows
from vbpkit.events.catalog import InstitutionRegistered

from vbp_catalog.institutions import repository
from vbp_catalog.institutions.schemas import InstitutionWrite

FIELDS = ("name", "level", "kind", "region_code")


async def register_institutions(session: AsyncSession, *, rows: list[dict]) -> BulkResult:
    """Upsert the valid rows; unchanged rows emit nothing, so a re-sent file is a no-op."""
    indexed, errors = validate_rows(rows, InstitutionWrite, key=lambda row: row.code, key_field="code")
    if not indexed:
        refuse_if_nothing_valid(len(rows), errors)
    valid = {code: row for code, (_, row) in indexed.items()}
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
