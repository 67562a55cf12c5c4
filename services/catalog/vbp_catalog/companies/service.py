"""CAT-9 registry of companies: bulk upsert with per-row errors, one event per change."""

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit import outbox
from vbpkit.bulk import BulkResult, refuse_if_nothing_valid, validate_rows
from vbpkit.events.catalog import CompanyRegistered

from vbp_catalog.companies.models import Company
from vbp_catalog.companies.schemas import CompanyWrite


async def register_companies(session: AsyncSession, *, rows: list[dict]) -> BulkResult:
    indexed, errors = validate_rows(rows, CompanyWrite, key=lambda row: row.credit_code, key_field="credit_code")
    if not indexed:
        refuse_if_nothing_valid(len(rows), errors)
    valid = {code: row.model_copy(update={"roles": sorted(set(row.roles))}) for code, (_, row) in indexed.items()}
    existing = {
        c.credit_code: c
        for c in await session.scalars(select(Company).where(Company.credit_code.in_(valid)).with_for_update())
    }
    changed = [
        row for code, row in valid.items()
        if code not in existing or (existing[code].name, sorted(existing[code].roles)) != (row.name, row.roles)
    ]
    if changed:
        statement = insert(Company)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[Company.credit_code],
                set_={"name": statement.excluded.name, "roles": statement.excluded.roles, "updated_at": func.now()},
            ),
            [row.model_dump() for row in changed],
        )
    for row in changed:
        outbox.add(session, CompanyRegistered(**row.model_dump()), key=row.credit_code)
    created = sum(1 for row in changed if row.credit_code not in existing)
    return BulkResult(
        received=len(rows), created=created, updated=len(changed) - created,
        unchanged=len(valid) - len(changed), errors=errors,
    )


async def page(session: AsyncSession, *, after: str | None, limit: int, role: str | None) -> list[Company]:
    query = select(Company).order_by(Company.credit_code).limit(limit)
    if after is not None:
        query = query.where(Company.credit_code > after)
    if role is not None:
        query = query.where(Company.roles.any(role))
    return list(await session.scalars(query))
