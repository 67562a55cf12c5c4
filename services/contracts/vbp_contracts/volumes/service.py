"""CON-1: agreed volumes loaded in bulk by the exchange or the bureau."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit import outbox
from vbpkit.bulk import BulkResult, RowError, refuse_if_nothing_valid, validate_rows
from vbpkit.events.contracts import AgreedVolumeSet
from vbpkit.policy import agreement_years
from vbpkit.projections.catalog_view import repository as catalog_view
from vbpkit.projections.registry import repository as registry

from vbp_contracts.volumes.models import AgreedVolume


class VolumeRow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    batch_code: str = Field(min_length=1, max_length=64)
    agreement_year: int = Field(ge=1, le=10, description="1 = the year from the execution start")
    hospital_code: str = Field(min_length=1, max_length=64)
    product_id: int = Field(ge=1)
    quantity: int = Field(ge=0, le=100_000_000)


_KEYS_PER_QUERY = 2_000


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

    existing: dict[tuple, int] = {}
    keys = list(accepted)
    # 4 bind parameters a key; PostgreSQL's protocol allows at most 32,767 in one statement
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        existing.update({
            (v.batch_code, v.agreement_year, v.hospital_code, v.product_id): v.quantity
            for v in await session.scalars(
                select(AgreedVolume).where(
                    tuple_(AgreedVolume.batch_code, AgreedVolume.agreement_year, AgreedVolume.hospital_code,
                           AgreedVolume.product_id).in_(keys[start:start + _KEYS_PER_QUERY])).with_for_update())
        })
    changed = [row for key, row in accepted.items() if existing.get(key) != row.quantity]
    if changed:
        statement = insert(AgreedVolume)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["batch_code", "agreement_year", "hospital_code", "product_id"],
                set_={"quantity": statement.excluded.quantity, "set_by": statement.excluded.set_by,
                      "updated_at": func.now()}),
            [{**row.model_dump(), "set_by": by} for row in changed],
        )
    for row in changed:
        outbox.add(session, AgreedVolumeSet(**row.model_dump()), key=f"{row.batch_code}/{row.hospital_code}")
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


async def listing(session: AsyncSession, *, batch_code: str | None, agreement_year: int | None,
                  hospital_code: str | None, after: tuple | None, limit: int) -> list[AgreedVolume]:
    query = select(AgreedVolume).order_by(
        AgreedVolume.batch_code, AgreedVolume.agreement_year, AgreedVolume.hospital_code, AgreedVolume.product_id
    ).limit(limit)
    if batch_code:
        query = query.where(AgreedVolume.batch_code == batch_code)
    if agreement_year:
        query = query.where(AgreedVolume.agreement_year == agreement_year)
    if hospital_code:
        query = query.where(AgreedVolume.hospital_code == hospital_code)
    if after:
        query = query.where(tuple_(AgreedVolume.batch_code, AgreedVolume.agreement_year, AgreedVolume.hospital_code,
                                   AgreedVolume.product_id) > tuple_(*after))
    return list(await session.scalars(query))
