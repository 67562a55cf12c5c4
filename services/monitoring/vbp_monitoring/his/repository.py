"""Queries of MON-11: the HIS rows, their mappings, and the platform's figures they are
reconciled with."""

from __future__ import annotations

from datetime import date

from sqlalchemy import String, and_, bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import any_of, copy_rows, in_array
from vbpkit.projections.accepted_lines import AcceptedLine
from vbpkit.projections.accepted_lines.models import LineReturn
from vbpkit.projections.catalog_view.models import BatchView, ProductView

from vbp_monitoring.alerts.models import Alert
from vbp_monitoring.his.models import HisCodeMapping, HisReconciledMonth, HisRecord
from vbp_monitoring.purchases.models import Agreement, AgreementItem

COLUMNS = ["hospital_code", "data_type", "fixmedins_bchno", "med_list_codg", "quantity", "price", "happened_at",
           "month", "supplier", "fields", "content_sha256", "received_at"]


async def stored_hashes(session: AsyncSession, hospital: str, keys: set[tuple[str, str]]) -> dict[tuple, str]:
    """(data type, fixmedins_bchno) → content hash, of the keys already stored for ``hospital``.

    A join with the keys unnested, probing the national key's index once per key: from its sixth
    call a prepared statement runs on a generic plan, on which ``= ANY(…)`` and even ``IN (SELECT
    unnest(…))`` filtered every stored row of the hospital against the 10,000 keys (24 s a call at
    50,000 rows, bench/his_upload.py)."""
    if not keys:
        return {}
    found: dict[tuple, str] = {}
    for data_type in {t for t, _ in keys}:
        sent = func.unnest(bindparam("bchnos", [b for t, b in keys if t == data_type],
                                     type_=ARRAY(String))).table_valued("bchno").render_derived()
        rows = await session.execute(
            select(HisRecord.fixmedins_bchno, HisRecord.content_sha256)
            .join(sent, HisRecord.fixmedins_bchno == sent.c.bchno)
            .where(HisRecord.hospital_code == hospital, HisRecord.data_type == data_type))
        found.update({(data_type, b): h for b, h in rows})
    return found


async def store(session: AsyncSession, records: list[tuple]) -> None:
    """New rows, by binary COPY (a month's upload is tens of thousands of rows)."""
    await copy_rows(session, HisRecord.__table__, COLUMNS, records)


async def delete_keys(session: AsyncSession, hospital: str, data_types: tuple[str, ...], bchno: str) -> list[date]:
    """Delete ``hospital``'s rows of ``data_types`` under ``bchno``; the months they were in."""
    rows = await session.execute(
        delete(HisRecord).where(HisRecord.hospital_code == hospital, HisRecord.fixmedins_bchno == bchno,
                                any_of(HisRecord.data_type, data_types)).returning(HisRecord.month))
    return [m for (m,) in rows]


async def resolve_missing_uploads(session: AsyncSession, hospital: str, months: set[str], today: date) -> None:
    """An upload arrived for months an ``his_upload_missing`` alert was open for."""
    if months:
        await session.execute(update(Alert).where(
            Alert.kind == "his_upload_missing", Alert.hospital_code == hospital, any_of(Alert.period, months),
            Alert.status == "open").values(status="resolved", resolved_on=today))


# --- mappings ---------------------------------------------------------------------------------


async def mappings(session: AsyncSession) -> list[HisCodeMapping]:
    return list(await session.scalars(select(HisCodeMapping).order_by(HisCodeMapping.med_list_codg)))


async def put_mapping(session: AsyncSession, row: dict) -> HisCodeMapping:
    statement = insert(HisCodeMapping).values(**row)
    statement = statement.on_conflict_do_update(
        index_elements=["med_list_codg"], set_={k: statement.excluded[k] for k in row if k != "med_list_codg"})
    await session.execute(statement)
    return await session.get(HisCodeMapping, row["med_list_codg"], populate_existing=True)


async def drop_mapping(session: AsyncSession, code: str) -> bool:
    return (await session.execute(delete(HisCodeMapping).where(HisCodeMapping.med_list_codg == code)
                                  .returning(HisCodeMapping.med_list_codg))).first() is not None


async def coded_products(session: AsyncSession) -> list[tuple]:
    """(insurance code, product id, batch code, winning, starts_on, ends_on) of every product
    the catalog gave a national code (CAT-11)."""
    rows = await session.execute(
        select(ProductView.insurance_code, ProductView.product_id, ProductView.batch_code, ProductView.winning,
               BatchView.starts_on, BatchView.ends_on)
        .join(BatchView, BatchView.code == ProductView.batch_code)
        .where(ProductView.insurance_code.is_not(None)))
    return list(rows)


async def products(session: AsyncSession, ids: set[int]) -> dict[int, ProductView]:
    if not ids:
        return {}
    return {p.product_id: p for p in await session.scalars(select(ProductView).where(any_of(ProductView.product_id,
                                                                                               ids)))}


# --- the figures a month is reconciled with --------------------------------------------------------


async def his_figures(session: AsyncSession, months: list[date], data_types: tuple[str, ...],
                      hospitals: list[str] | None = None) -> list[tuple]:
    """(hospital, code, data type, Beijing day, quantity, highest price) of ``data_types`` in
    ``months`` — by day, so that each product's own window (its batch's policy) can be applied."""
    day = func.date(func.timezone("Asia/Shanghai", HisRecord.happened_at))
    query = (select(HisRecord.hospital_code, HisRecord.med_list_codg, HisRecord.data_type, day,
                    func.sum(HisRecord.quantity), func.max(HisRecord.price))
             .where(any_of(HisRecord.month, months), any_of(HisRecord.data_type, data_types))
             .group_by(HisRecord.hospital_code, HisRecord.med_list_codg, HisRecord.data_type, day))
    if hospitals is not None:
        query = query.where(in_array(HisRecord.hospital_code, hospitals))
    return list(await session.execute(query))


async def batches_in_force(session: AsyncSession, first: date, last: date) -> list[str]:
    return list(await session.scalars(select(BatchView.code).where(BatchView.starts_on <= last,
                                                                   BatchView.ends_on >= first)))


async def platform_figures(session: AsyncSession, first: date, last: date, hospitals: list[str] | None = None,
                           batches: list[str] | None = None) -> list[tuple]:
    """(hospital, product, day, accepted, returned) from ``first`` to ``last``, by day; only
    ``hospitals``' lines of ``batches`` when given (the projection's index leads with them)."""
    accepted_query = (
        select(AcceptedLine.hospital_code, AcceptedLine.product_id, AcceptedLine.accepted_on,
               func.sum(AcceptedLine.quantity))
        .where(AcceptedLine.accepted_on.between(first, last))
        .group_by(AcceptedLine.hospital_code, AcceptedLine.product_id, AcceptedLine.accepted_on))
    returned_query = (
        select(AcceptedLine.hospital_code, AcceptedLine.product_id, LineReturn.returned_on,
               func.sum(LineReturn.quantity))
        .join(AcceptedLine, and_(AcceptedLine.delivery_id == LineReturn.delivery_id,
                                 AcceptedLine.line_no == LineReturn.line_no))
        .where(LineReturn.returned_on.between(first, last))
        .group_by(AcceptedLine.hospital_code, AcceptedLine.product_id, LineReturn.returned_on))
    if hospitals is not None:
        accepted_query = accepted_query.where(in_array(AcceptedLine.hospital_code, hospitals))
        returned_query = returned_query.where(in_array(AcceptedLine.hospital_code, hospitals))
    if batches is not None:
        accepted_query = accepted_query.where(any_of(AcceptedLine.batch_code, batches))
        returned_query = returned_query.where(any_of(AcceptedLine.batch_code, batches))
    found = [(h, p, d, int(q), 0) for h, p, d, q in await session.execute(accepted_query)]
    found += [(h, p, d, 0, int(q)) for h, p, d, q in await session.execute(returned_query)]
    return found


async def agreed_prices(session: AsyncSession, hospitals: list[str]) -> dict[tuple[str, int], tuple[int, str | None]]:
    """(hospital, product) → (the highest agreed unit price in fen, the designated distributor of
    the latest agreement year) over the hospitals' effective agreements."""
    rows = await session.execute(
        select(Agreement.hospital_code, AgreementItem.product_id, AgreementItem.unit_price_fen,
               Agreement.distributor_code, Agreement.agreement_year)
        .join(AgreementItem, AgreementItem.agreement_id == Agreement.agreement_id)
        .where(in_array(Agreement.hospital_code, hospitals))
        .order_by(Agreement.agreement_year))
    found: dict[tuple[str, int], tuple[int, str | None]] = {}
    for hospital, product, price, distributor, _ in rows:
        before = found.get((hospital, product))
        found[(hospital, product)] = (max(price, before[0]) if before else price, distributor)
    return found


async def suppliers(session: AsyncSession, months: list[date], hospitals: list[str]) -> dict[tuple, set[str]]:
    """(hospital, code, month) → the suppliers named on its purchases."""
    query = (select(HisRecord.hospital_code, HisRecord.med_list_codg, HisRecord.month, HisRecord.supplier).distinct()
             .where(any_of(HisRecord.month, months), HisRecord.data_type == "purchase",
                    HisRecord.supplier.is_not(None), in_array(HisRecord.hospital_code, hospitals)))
    found: dict[tuple, set[str]] = {}
    for h, code, month, supplier in await session.execute(query):
        found.setdefault((h, code, month), set()).add(supplier)
    return found


async def hospitals_of_month(session: AsyncSession, month: date) -> list[str]:
    """The hospitals a month may have rows of: those that sent purchases dated in it, and those
    with effective agreements (whose acceptances the platform holds), in code order."""
    sent = select(HisRecord.hospital_code).where(
        HisRecord.month == month, any_of(HisRecord.data_type, ("purchase", "purchase_return")))
    agreed = select(Agreement.hospital_code)
    return sorted(set(await session.scalars(sent.union(agreed))))


async def sale_prices(session: AsyncSession, month: date) -> list[tuple]:
    """(hospital, code, price, rows) of the month's sales (3505) with a price."""
    rows = await session.execute(
        select(HisRecord.hospital_code, HisRecord.med_list_codg, HisRecord.price, func.count())
        .where(HisRecord.month == month, HisRecord.data_type == "sale", HisRecord.price.is_not(None))
        .group_by(HisRecord.hospital_code, HisRecord.med_list_codg, HisRecord.price))
    return list(rows)


async def uploads(session: AsyncSession, month: date) -> dict[str, dict]:
    """hospital → {data type: rows, 'first': first received, 'last': last received} of ``month``."""
    rows = await session.execute(
        select(HisRecord.hospital_code, HisRecord.data_type, func.count(), func.min(HisRecord.received_at),
               func.max(HisRecord.received_at))
        .where(HisRecord.month == month).group_by(HisRecord.hospital_code, HisRecord.data_type))
    found: dict[str, dict] = {}
    for hospital, data_type, count, first, last in rows:
        entry = found.setdefault(hospital, {"rows": {}, "first": first, "last": last})
        entry["rows"][data_type] = count
        entry["first"], entry["last"] = min(entry["first"], first), max(entry["last"], last)
    return found


async def hospitals_in_force(session: AsyncSession, first: date, last: date) -> dict[str, list[str]]:
    """hospital → the batches it has effective agreements of whose cycle meets [first, last]."""
    rows = await session.execute(
        select(Agreement.hospital_code, Agreement.batch_code).distinct()
        .join(BatchView, BatchView.code == Agreement.batch_code)
        .where(BatchView.starts_on <= last, BatchView.ends_on >= first))
    found: dict[str, list[str]] = {}
    for hospital, batch in rows:
        found.setdefault(hospital, []).append(batch)
    return found


async def batch_policies(session: AsyncSession) -> list:
    return [b.policy for b in await session.scalars(select(BatchView))]


async def first_month(session: AsyncSession) -> date | None:
    """The earliest month of any HIS row (the first edge of ix_his_records_month)."""
    return await session.scalar(select(func.min(HisRecord.month)))


async def last_reconciled(session: AsyncSession) -> date | None:
    return await session.scalar(select(func.max(HisReconciledMonth.month)))


async def mark_reconciled(session: AsyncSession, month: date, today: date, hospitals: int) -> bool:
    statement = insert(HisReconciledMonth).values(month=month, reconciled_on=today, hospitals=hospitals)
    return (await session.execute(statement.on_conflict_do_nothing().returning(HisReconciledMonth.month))).first() \
        is not None


async def unmapped_rows(session: AsyncSession, codes_known: set[str], hospital: str | None) -> list[tuple]:
    """(hospital, code, data type, rows, quantity, first month, last month) of codes not in ``codes_known``."""
    query = (select(HisRecord.hospital_code, HisRecord.med_list_codg, HisRecord.data_type, func.count(),
                    func.sum(HisRecord.quantity), func.min(HisRecord.month), func.max(HisRecord.month))
             .group_by(HisRecord.hospital_code, HisRecord.med_list_codg, HisRecord.data_type)
             .order_by(HisRecord.hospital_code, HisRecord.med_list_codg, HisRecord.data_type))
    if hospital:
        query = query.where(HisRecord.hospital_code == hospital)
    return [r for r in await session.execute(query) if r[1] not in codes_known]

