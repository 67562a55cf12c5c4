"""CON-7 volume transfer (seed 003: 赔偿、惩戒、退出、备选和应急保障措施; seed 004: 增加替补供应企业).

The insurer moves the remaining volume of a failing item — agreed − accepted net of returns
under any version of the hospital's agreement, or a stated quantity up to it — to a backup
designated for the hospital's region (CAT-13). For each hospital:

- the backup's manufacturer gets the volume in a **new agreement version** (the next version
  of the hospital's agreement with it for the batch year, its items and the backup's item
  raised by the quantity; a new agreement when there was none), a draft the hospital, the
  manufacturer and the distributor sign as any agreement (CON-2);
- with ``emergency``, orders for the backup go to its distributor at once, through that
  version, while the signatures are collected (the distributor named, or the one of the
  hospital's agreement with the backup's manufacturer);
- an order for the failing product from the transfer day is refused with the backup, its
  price and the transfer named — not re-routed, since spec and price may differ (CON-4);
- ``contracts.volume.transferred`` tells monitoring to assess the failing item only up to the
  day before (pro rata, as an early end: MON-1, MON-7) and the backup's new item from that day.

Refused: a product that is no backup of the failing one for the hospital's region (422), a
quantity above what remains (422, naming it), nothing left to move (422), a hospital outside
the insurer's region (422), a second transfer of the same item (409). The backup's price for
the hospital is its designated price less the service price where the hospital chose the
without-service option (seed 004), as for any item. Interpretation: the seeds set no date
rule, so ``transfer_on`` may be any day of the item's agreement year from today on, and a
transfer is not undone (a further failure of the backup is a new designation and transfer).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.domain.money import format_yuan
from vbpkit.domain.policy import agreement_year_of
from vbpkit.domain.regions import is_known, is_within
from vbpkit.events.contracts import VolumeTransferred
from vbpkit.messaging import outbox
from vbpkit.projections.backups import repository as backups
from vbpkit.projections.backups.models import BackupView
from vbpkit.projections.catalog_view import repository as catalog_view
from vbpkit.projections.registry import repository as registry
from vbpkit.web.identity import Principal, Role
from vbpkit.web.pagination import cut, kept_pages
from vbpkit.web.problems import Problem
from vbpkit.web.read_scope import ReadScope

from vbp_contracts.agreements import repository as agreements
from vbp_contracts.agreements.models import Agreement, AgreementItem
from vbp_contracts.agreements.service import refuse_uncovered
from vbp_contracts.orders.pricing import agreed_unit_price
from vbp_contracts.transfers import repository
from vbp_contracts.transfers.models import VolumeTransfer
from vbp_contracts.transfers.schemas import TransferCreate, TransferRead


def _refused(field: str, reason: str, status: int = 422) -> Problem:
    return Problem(status, detail=f"{field}: {reason} (CON-7)", errors=[{"field": field, "reason": reason}])


def _insurer_region(principal: Principal) -> str:
    if principal.role is not Role.INSURER or not principal.tenant or not is_known(principal.tenant):
        raise Problem(403, detail="the insurer of a region transfers volume (CON-7)")
    return principal.tenant


def _backup_for(designations: list[BackupView], backup_product_id: int, region: str | None) -> BackupView | None:
    return next((d for d in designations if d.backup_product_id == backup_product_id and region
                 and is_known(region) and is_within(region, d.region_code)), None)


async def transfer(session: AsyncSession, *, request: TransferCreate, principal: Principal,
                   today: date) -> list[TransferRead]:
    own = _insurer_region(principal)
    failing = await catalog_view.product(session, request.failing_product_id)
    if failing is None:
        raise _refused("body.failing_product_id", f"unknown product {request.failing_product_id}")
    backup = await catalog_view.product(session, request.backup_product_id)
    batch = await catalog_view.batch(session, failing.batch_code)
    on = request.transfer_on or today
    year = agreement_year_of(batch.cycle, on).value if batch else None
    if on < today or year is None:
        raise _refused("body.transfer_on", f"{on} is before today or outside the cycle of {failing.batch_code}")
    designations = await backups.active_backups(session, [failing.product_id])
    if backup is None or not any(d.backup_product_id == backup.product_id for d in designations):
        raise _refused("body.backup_product_id", f"product {request.backup_product_id} is not a designated backup "
                       f"of product {failing.product_id} (CAT-13)")
    wanted = set(request.hospital_codes) if request.hospital_codes is not None else None
    items = await repository.failing_items(session, batch_code=failing.batch_code, year=year,
                                           product_id=failing.product_id, hospital_codes=wanted)
    regions = {a.hospital_code: (await registry.institution(session, a.hospital_code)) for a, _ in items}
    regions = {code: view.region_code if view else None for code, view in regions.items()}
    if wanted is None:
        items = [(a, i) for a, i in items if regions[a.hospital_code] and is_within(regions[a.hospital_code], own)]
    found = {a.hospital_code for a, _ in items}
    missing = sorted((wanted or set()) - found)
    if missing:
        code = missing[0]
        raise _refused("body.hospital_codes", f"{code} has no effective agreement item of product "
                       f"{failing.product_id} in year {year} of {failing.batch_code}")
    if not items:
        raise _refused("body.failing_product_id", f"no hospital of region {own} has an effective item of product "
                       f"{failing.product_id} in year {year}")
    await repository.lock_items(session, hospital_codes=sorted(found), product_id=failing.product_id)
    earlier = await repository.transfers_of(session, batch_code=failing.batch_code, year=year,
                                            product_id=failing.product_id, hospital_codes=found)
    if earlier:
        code, first = sorted(earlier.items())[0]
        raise _refused("body.hospital_codes", f"the item of product {failing.product_id} of {code} was transferred "
                       f"already (transfer {first.id} on {first.transfer_on}); transfers may not overlap", 409)
    made = []
    for agreement, item in items:
        region = regions[agreement.hospital_code]
        if not region or not is_within(region, own):
            raise _refused("body.hospital_codes", f"{agreement.hospital_code} is not in your region {own}")
        designation = _backup_for(designations, backup.product_id, region)
        if designation is None:
            raise _refused("body.backup_product_id", f"product {backup.product_id} is not designated as backup of "
                           f"product {failing.product_id} for region {region} of {agreement.hospital_code} (CAT-13)")
        made.append(await _move(session, request, principal, agreement, item, designation, backup, on, region))
    return await views_of(session, made)


async def _move(session: AsyncSession, request: TransferCreate, principal: Principal, failing_agreement: Agreement,
                item: AgreementItem, designation: BackupView, backup, on: date, region: str) -> VolumeTransfer:
    hospital = failing_agreement.hospital_code
    accepted = await repository.accepted_net(
        session, batch_code=failing_agreement.batch_code, year=failing_agreement.agreement_year,
        hospital_code=hospital, manufacturer_code=failing_agreement.manufacturer_code, product_id=item.product_id)
    remaining = item.agreed_quantity - accepted
    quantity = request.quantity if request.quantity is not None else remaining
    if remaining <= 0:
        raise _refused("body.hospital_codes", f"nothing remains of {hospital}'s item of product {item.product_id}: "
                       f"agreed {item.agreed_quantity}, accepted net of returns {accepted}")
    if quantity > remaining:
        raise _refused("body.quantity", f"{quantity} is above what remains of {hospital}'s item: agreed "
                       f"{item.agreed_quantity} − accepted net of returns {accepted} = {remaining}")
    price = agreed_unit_price(designation.price_fen, backup.service_price_fen, with_service=failing_agreement.with_service)
    target, item_new = await _backup_version(session, failing_agreement, backup.applicant_credit_code,
                                             backup.product_id, quantity, price)
    distributor = request.distributor_code.upper() if request.distributor_code else target.distributor_code
    if request.emergency and distributor is None:
        raise _refused("body.distributor_code", f"{hospital} has no distributor with {backup.applicant_credit_code}; "
                       "name the one that supplies in an emergency")
    if request.distributor_code:
        company = await registry.company(session, distributor)
        if company is None or "distributor" not in company.roles:
            raise _refused("body.distributor_code", f"{distributor} is not a registered distributor (CAT-9)")
        await refuse_uncovered(session, distributor, hospital, with_service=target.with_service)
        target.distributor_code = distributor
    row = VolumeTransfer(
        batch_code=failing_agreement.batch_code, agreement_year=failing_agreement.agreement_year,
        hospital_code=hospital, failing_product_id=item.product_id, failing_agreement_id=failing_agreement.id,
        failing_manufacturer_code=failing_agreement.manufacturer_code, backup_id=designation.backup_id,
        backup_product_id=backup.product_id, backup_agreement_id=target.id,
        backup_manufacturer_code=backup.applicant_credit_code, backup_item_new=item_new,
        distributor_code=distributor, remaining=remaining, quantity=quantity, unit_price_fen=price,
        transfer_on=on, emergency=request.emergency, reason=request.reason, region_code=region,
        recorded_by=principal.actor)
    session.add(row)
    await session.flush()
    outbox.add(session, VolumeTransferred(
        transfer_id=row.id, batch_code=row.batch_code, agreement_year=row.agreement_year, hospital_code=hospital,
        failing_product_id=row.failing_product_id, failing_agreement_id=row.failing_agreement_id,
        failing_manufacturer_code=row.failing_manufacturer_code, backup_id=row.backup_id,
        backup_product_id=row.backup_product_id, backup_agreement_id=row.backup_agreement_id,
        backup_manufacturer_code=row.backup_manufacturer_code, backup_item_new=item_new,
        distributor_code=distributor, quantity=quantity, unit_price_fen=price, transfer_on=on,
        emergency=row.emergency, reason=row.reason), key=hospital)
    return row


async def _backup_version(session: AsyncSession, failing: Agreement, manufacturer: str, product_id: int,
                          quantity: int, price: int) -> tuple[Agreement, bool]:
    """The draft that carries the moved volume: the hospital's unsigned version with the backup's
    manufacturer raised in place, else a new version of it (its items copied), else a new agreement."""
    latest = await agreements.latest_version_for_update(
        session, batch_code=failing.batch_code, year=failing.agreement_year, hospital_code=failing.hospital_code,
        manufacturer_code=manufacturer)
    if latest is not None and latest.status == "draft" and not await agreements.signatures_of_agreement(
            session, agreement_id=latest.id):
        target, items = latest, await agreements.items_of_agreement(session, agreement_id=latest.id)
    else:
        target = Agreement(batch_code=failing.batch_code, agreement_year=failing.agreement_year,
                           hospital_code=failing.hospital_code, manufacturer_code=manufacturer,
                           distributor_code=latest.distributor_code if latest else None,
                           with_service=latest.with_service if latest else failing.with_service,
                           version=latest.version + 1 if latest else 1, status="draft")
        session.add(target)
        await session.flush()
        copied = await agreements.items_of_agreement(session, agreement_id=latest.id) if latest else []
        items = [AgreementItem(agreement_id=target.id, product_id=i.product_id, agreed_quantity=i.agreed_quantity,
                               unit_price_fen=i.unit_price_fen) for i in copied]
        session.add_all(items)
    existing = next((i for i in items if i.product_id == product_id), None)
    if existing is None:
        session.add(AgreementItem(agreement_id=target.id, product_id=product_id, agreed_quantity=quantity,
                                  unit_price_fen=price))
    else:
        existing.agreed_quantity += quantity
    await session.flush()
    return target, existing is None


async def views_of(session: AsyncSession, rows: list[VolumeTransfer]) -> list[TransferRead]:
    names = await registry.names(session, institutions={r.hospital_code for r in rows}, companies={
        c for r in rows for c in (r.failing_manufacturer_code, r.backup_manufacturer_code)})
    backups_now = await repository.agreements_by_id(session, {r.backup_agreement_id for r in rows})
    return [TransferRead(
        id=r.id, batch_code=r.batch_code, agreement_year=r.agreement_year, hospital_code=r.hospital_code,
        hospital_name=names.get(r.hospital_code), failing_product_id=r.failing_product_id,
        failing_agreement_id=r.failing_agreement_id, failing_manufacturer_code=r.failing_manufacturer_code,
        failing_manufacturer_name=names.get(r.failing_manufacturer_code), backup_id=r.backup_id,
        backup_product_id=r.backup_product_id, backup_agreement_id=r.backup_agreement_id,
        backup_agreement_status=backups_now[r.backup_agreement_id].status,
        backup_manufacturer_code=r.backup_manufacturer_code,
        backup_manufacturer_name=names.get(r.backup_manufacturer_code), distributor_code=r.distributor_code,
        remaining=r.remaining, quantity=r.quantity, unit_price=r.unit_price_fen, transfer_on=r.transfer_on,
        emergency=r.emergency, reason=r.reason, recorded_by=r.recorded_by, recorded_at=r.recorded_at,
        explain={"rule": "CON-7", "remaining_formula": "agreed − accepted net of returns, when transferred",
                 "moved": r.quantity, "backup_price": format_yuan(r.unit_price_fen),
                 "failing_item_assessed": f"its year ends on {r.transfer_on - timedelta(days=1)}, the day before "
                                          "the transfer: agreed pro rata, as an early end (MON-1, MON-7)",
                 "orders_for_the_failing_product": f"refused from {r.transfer_on}, naming the backup",
                 "routing": "orders for the backup go to its distributor at once (emergency)" if r.emergency
                 else "orders for the backup follow its agreement once the three parties have signed"},
    ) for r in rows]


async def read(session: AsyncSession, *, transfer_id: int, principal: Principal) -> TransferRead:
    row = await repository.transfer_or_404(session, transfer_id=transfer_id)
    if not _sees(ReadScope.of(principal), row):
        raise Problem(404, detail=f"transfer {transfer_id} is not found or not yours")
    return (await views_of(session, [row]))[0]


def _sees(scope: ReadScope, row: VolumeTransfer) -> bool:
    if scope.nothing or not scope.covers(row.region_code) or not scope.shows_hospital(row.hospital_code):
        return False
    return scope.company_code is None or scope.company_code in (
        row.failing_manufacturer_code, row.backup_manufacturer_code, row.distributor_code)


async def page(session: AsyncSession, *, principal: Principal, hospital_code: str | None, company_code: str | None,
               batch_code: str | None, after: int | None, limit: int) -> tuple[list[TransferRead], int | None]:
    """The hospital's own transfers, a company's as failing or backup manufacturer or distributor,
    an insurer's region's, the exchange's and an admin's all; filters narrow, never widen."""
    scope = ReadScope.of(principal, hospital_code=hospital_code, company_code=company_code)
    if scope.nothing:
        return [], None

    async def fetch(cursor, size):
        return await repository.transfers_page(
            session, hospital_codes={scope.hospital_code, hospital_code}, company_codes={scope.company_code},
            batch_code=batch_code, after=cursor, limit=size)

    rows = await kept_pages(fetch, lambda row: _sees(scope, row), after=after, limit=limit + 1)
    rows, next_cursor = cut(rows, limit, lambda row: row.id)
    return await views_of(session, rows), next_cursor
