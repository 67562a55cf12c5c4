"""CON-1: agreed volumes loaded in bulk by the exchange or the bureau."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.messaging import outbox
from vbpkit.web.bulk_rows import BulkResult, RowError, refuse_if_nothing_valid, validate_rows
from vbpkit.events.contracts import AgreedVolumeSet
from vbpkit.web.identity import Principal, Role
from vbpkit.web.pagination import cut
from vbpkit.domain.policy import agreement_years
from vbpkit.web.problems import Problem
from vbpkit.projections.catalog_view import repository as catalog_view
from vbpkit.projections.registry import repository as registry

from vbp_contracts.volumes import repository
from vbp_contracts.volumes.models import AgreedVolume


class VolumeRow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    batch_code: str = Field(min_length=1, max_length=64)
    agreement_year: int = Field(ge=1, le=10, description="1 = the year from the execution start")
    hospital_code: str = Field(min_length=1, max_length=64)
    product_id: int = Field(ge=1)
    quantity: int = Field(ge=0, le=100_000_000)


def _key(row: VolumeRow):
    return (row.batch_code, row.agreement_year, row.hospital_code, row.product_id)


async def set_volumes(session: AsyncSession, *, rows: list[dict], by: str) -> BulkResult:
    valid, errors = validate_rows(rows, VolumeRow, key=_key, key_field="product_id")

    batches = await catalog_view.batches_by_code(session, (r.batch_code for _, r in valid.values()))
    hospitals = await registry.known_institutions(session, (r.hospital_code for _, r in valid.values()))
    products = await catalog_view.products_by_id(session, (r.product_id for _, r in valid.values()))
    accepted: dict[tuple, VolumeRow] = {}
    for key, (index, row) in valid.items():
        reason = _refusal(row, batches, hospitals, products)
        if reason is not None:
            errors.append(RowError(row=index, field=reason[0], reason=reason[1]))
        else:
            accepted[key] = row
    if not accepted:
        refuse_if_nothing_valid(len(rows), sorted(errors, key=lambda e: e.row))

    await repository.lock_batches(session, batch_codes={row.batch_code for row in accepted.values()})
    existing = await repository.quantities_for_update(session, keys=list(accepted))
    changed = [row for key, row in accepted.items() if existing.get(key) != row.quantity]
    if changed:
        await repository.upsert_volumes(session, rows=[{**row.model_dump(), "set_by": by} for row in changed])
    await outbox.add_many(session, [(AgreedVolumeSet(**row.model_dump()), f"{row.batch_code}/{row.hospital_code}")
                                    for row in changed])
    created = sum(1 for row in changed if _key(row) not in existing)
    return BulkResult(received=len(rows), created=created, updated=len(changed) - created,
                      unchanged=len(accepted) - len(changed), errors=sorted(errors, key=lambda e: e.row))


def _refusal(row: VolumeRow, batches, hospitals, products) -> tuple[str, str] | None:
    batch = batches.get(row.batch_code)
    if batch is None:
        return "batch_code", f"unknown batch {row.batch_code}"
    years = agreement_years(batch.cycle).value
    if row.agreement_year > years:
        return "agreement_year", f"batch {batch.code} has {years} agreement year(s)"
    if row.hospital_code not in hospitals:
        return "hospital_code", f"unknown hospital {row.hospital_code}"
    product = products.get(row.product_id)
    if product is None or product.batch_code != row.batch_code:
        return "product_id", f"unknown product {row.product_id} in batch {row.batch_code}"
    if not product.winning:
        return "product_id", f"product {row.product_id} is not a winning product; it has no agreed volume"
    return None


async def page(session: AsyncSession, principal: Principal, *, batch_code: str | None, agreement_year: int | None,
               hospital_code: str | None, cursor: str | None, limit: int) -> tuple[list[AgreedVolume], str | None]:
    """GW-5: a hospital reads its own agreed volumes; companies do not read them at all."""
    if principal.role is Role.HOSPITAL:
        hospital_code = principal.tenant
    elif principal.role is Role.COMPANY:
        raise Problem(403, detail="agreed volumes are read by hospitals, the exchange and the bureau")
    after = None
    if cursor:
        try:
            code, year, cursor_hospital, product_id = cursor.split("|")
            after = (code, int(year), cursor_hospital, int(product_id))
        except ValueError:
            raise Problem(400, detail="the cursor is not one this API gave out") from None
    rows = await repository.volumes_page(session, batch_code=batch_code, agreement_year=agreement_year,
                                         hospital_code=hospital_code, after=after, limit=limit + 1)
    return cut(rows, limit,
               lambda row: f"{row.batch_code}|{row.agreement_year}|{row.hospital_code}|{row.product_id}")
