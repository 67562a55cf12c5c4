"""CAT-9 registry of companies: bulk upsert with per-row errors, one event per change."""

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.messaging import outbox
from vbpkit.web.bulk_rows import BulkResult, refuse_if_nothing_valid, validate_rows
from vbpkit.events.catalog import CompanyRegistered
from vbpkit.web.pagination import cut

from vbp_catalog.companies import repository
from vbp_catalog.companies.schemas import CompanyPage, CompanyRead, CompanyWrite


async def register_companies(session: AsyncSession, *, rows: list[dict]) -> BulkResult:
    indexed, errors = validate_rows(rows, CompanyWrite, key=lambda row: row.credit_code, key_field="credit_code")
    if not indexed:
        refuse_if_nothing_valid(len(rows), errors)
    valid = {code: row.model_copy(update={"roles": sorted(set(row.roles))}) for code, (_, row) in indexed.items()}
    await repository.lock_registry(session)
    existing = await repository.by_credit_codes(session, credit_codes=valid)
    changed = [
        row for code, row in valid.items()
        if code not in existing or (existing[code].name, sorted(existing[code].roles)) != (row.name, row.roles)
    ]
    await repository.upsert(session, rows=[row.model_dump() for row in changed])
    for row in changed:
        outbox.add(session, CompanyRegistered(**row.model_dump()), key=row.credit_code)
    created = sum(1 for row in changed if row.credit_code not in existing)
    return BulkResult(
        received=len(rows), created=created, updated=len(changed) - created,
        unchanged=len(valid) - len(changed), errors=errors,
    )


async def read(session: AsyncSession, *, credit_code: str) -> CompanyRead:
    return CompanyRead.model_validate(await repository.company_or_404(session, credit_code=credit_code))


async def page(session: AsyncSession, *, cursor: str | None, limit: int, role: str | None) -> CompanyPage:
    rows = await repository.page(session, after=cursor, limit=limit + 1, role=role)
    rows, next_cursor = cut(rows, limit, lambda row: row.credit_code)
    return CompanyPage(items=[CompanyRead.model_validate(r) for r in rows], next_cursor=next_cursor)
