"""CAT-9 registry of institutions: bulk upsert with per-row errors, one event per change."""

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.messaging import outbox
from vbpkit.web.bulk_rows import BulkResult, refuse_if_nothing_valid, validate_rows
from vbpkit.events.catalog import InstitutionRegistered
from vbpkit.web.pagination import cut

from vbp_catalog.institutions import repository
from vbp_catalog.institutions.schemas import InstitutionPage, InstitutionRead, InstitutionWrite

FIELDS = ("name", "level", "kind", "region_code")


async def register_institutions(session: AsyncSession, *, rows: list[dict]) -> BulkResult:
    """Upsert the valid rows; unchanged rows emit nothing, so a re-sent file is a no-op."""
    indexed, errors = validate_rows(rows, InstitutionWrite, key=lambda row: row.code, key_field="code")
    if not indexed:
        refuse_if_nothing_valid(len(rows), errors)
    valid = {code: row for code, (_, row) in indexed.items()}
    await repository.lock_registry(session)
    existing = await repository.by_codes(session, codes=valid)
    changed = [
        row for code, row in valid.items()
        if code not in existing
        or any(getattr(existing[code], f) != getattr(row, f) for f in FIELDS)
    ]
    await repository.upsert(session, rows=[row.model_dump() for row in changed])
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


async def read(session: AsyncSession, *, code: str) -> InstitutionRead:
    return InstitutionRead.model_validate(await repository.institution_or_404(session, code=code))


async def page(
    session: AsyncSession, *, cursor: str | None, limit: int, region_code: str | None, level: int | None
) -> InstitutionPage:
    rows = await repository.page(session, after=cursor, limit=limit + 1, region_code=region_code, level=level)
    rows, next_cursor = cut(rows, limit, lambda row: row.code)
    return InstitutionPage(items=[InstitutionRead.model_validate(r) for r in rows], next_cursor=next_cursor)
