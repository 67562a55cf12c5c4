"""CAT-13 备选/替补供应 (seed 003: 赔偿、惩戒、退出、备选和应急保障措施; seed 004: 增加替补供应企业).

The insurer designates, for a failing winning product, a backup that supplies in a region (its
own, or one under it): another **winning** product of the same group at its own winning price,
or a **listed non-winning** product of the same group at no more than the policy's
``backup_price_cap_ratio`` (default 1) × the failing product's winning price — the seeds name
no price rule for a backup, so it is the batch's policy. Refused, with the reason: the failing
product is not a winner; the backup is the product itself, of another batch or group, of the
same manufacturer (it fails with it), not listed, or above the cap (named); a region the
insurer does not cover. The same designation active twice is a 409.

Each designation and withdrawal is ``catalog.backup.designated`` / ``catalog.backup.withdrawn``
and a line in both products' histories; a product's detail lists the designations naming it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.domain.money import format_yuan, multiply_half_up
from vbpkit.domain.regions import is_known, is_within
from vbpkit.events.catalog import BackupDesignated, BackupWithdrawn
from vbpkit.messaging import outbox
from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem

from vbp_catalog.backups import repository
from vbp_catalog.backups.models import Backup
from vbp_catalog.backups.schemas import BackupDesignation, BackupList, BackupRead, Withdrawal
from vbp_catalog.batches import repository as batches
from vbp_catalog.products import repository as products
from vbp_catalog.products.service import record


def _refused(field: str, reason: str) -> Problem:
    return Problem(422, "validation-error", "Not a backup", f"{field}: {reason} (CAT-13)",
                   errors=[{"field": field, "reason": reason}])


def _region(principal: Principal, asked: str | None) -> str:
    own = principal.tenant if principal.role is Role.INSURER and principal.tenant and is_known(principal.tenant) \
        else None
    region = asked or own
    if region is None:
        raise _refused("body.region_code", "name the region the backup supplies")
    if not is_known(region):
        raise _refused("body.region_code", f"{region} is not a known administrative region code")
    if own and not is_within(region, own):
        raise _refused("body.region_code", f"{region} is outside your region {own}")
    return region


async def designate(session: AsyncSession, *, product_id: int, request: BackupDesignation, principal: Principal,
                    today: date) -> BackupRead:
    failing = await products.product_or_404(session, product_id=product_id, for_update=True)
    backup = await products.product_or_404(session, product_id=request.backup_product_id)
    region = _region(principal, request.region_code)
    if not failing.winning:
        raise _refused("path.product_id", f"product {failing.id} is not a winning product; a backup stands in for "
                                          "a winner")
    where = "body.backup_product_id"
    if backup.id == failing.id:
        raise _refused(where, "is the failing product itself")
    if backup.batch_code != failing.batch_code or backup.group_code != failing.group_code:
        raise _refused(where, f"is not of the failing product's group {failing.group_code or '(none)'} in batch "
                              f"{failing.batch_code}")
    if backup.applicant_credit_code and backup.applicant_credit_code == failing.applicant_credit_code:
        raise _refused(where, f"is of the same manufacturer ({failing.applicant}) as the failing product")
    if backup.status != "listed":
        raise _refused(where, f"is {backup.status}, not listed")
    batch = await batches.batch_or_404(session, code=failing.batch_code)
    cap = None
    if not backup.winning:
        ratio = batch.policy.backup_price_cap_ratio
        cap = multiply_half_up(failing.winning_price_fen, ratio)
        if backup.winning_price_fen > cap:
            raise _refused(where, f"its price {format_yuan(backup.winning_price_fen)} is above the cap "
                                  f"{format_yuan(cap)} ({format(ratio.normalize(), 'f')} × the failing product's "
                                  f"winning price {format_yuan(failing.winning_price_fen)}, policy "
                                  "backup_price_cap_ratio)")
    if await repository.active_same(session, failing=failing.id, backup=backup.id, region_code=region):
        raise Problem(409, detail=f"product {backup.id} is already the backup of product {failing.id} in {region}")
    row = Backup(batch_code=failing.batch_code, failing_product_id=failing.id, backup_product_id=backup.id,
                 region_code=region, price_fen=backup.winning_price_fen, price_cap_fen=cap, reason=request.reason,
                 designated_by=principal.actor)
    session.add(row)
    await session.flush()
    for product, text in ((failing, f"backup {backup.id} in {region}"), (backup, f"backup for {failing.id} in {region}")):
        record(session, product, kind="backup", old=None, new=text, effective_on=today, reason=request.reason,
               by=principal.actor)
    outbox.add(session, BackupDesignated(
        backup_id=row.id, batch_code=row.batch_code, group_code=failing.group_code, failing_product_id=failing.id,
        failing_manufacturer_code=failing.applicant_credit_code, backup_product_id=backup.id,
        backup_manufacturer_code=backup.applicant_credit_code, backup_winning=backup.winning, region_code=region,
        price_fen=row.price_fen, price_cap_fen=cap, reason=row.reason, designated_on=today), key=str(failing.id))
    await session.flush()
    await session.refresh(row)
    return BackupRead.of(row)


async def withdraw(session: AsyncSession, *, backup_id: int, request: Withdrawal, principal: Principal,
                   today: date, now) -> BackupRead:
    row = await repository.backup_or_404(session, backup_id)
    own = principal.tenant if principal.role is Role.INSURER and principal.tenant and is_known(principal.tenant) \
        else None
    if own and not is_within(row.region_code, own):
        raise Problem(404, detail=f"no backup designation {backup_id} in your region")
    if row.status != "active":
        raise Problem(409, detail=f"backup designation {backup_id} is {row.status}")
    row.status, row.withdrawn_by, row.withdrawn_at, row.withdrawal_reason = (
        "withdrawn", principal.actor, now, request.reason)
    outbox.add(session, BackupWithdrawn(
        backup_id=row.id, batch_code=row.batch_code, failing_product_id=row.failing_product_id,
        backup_product_id=row.backup_product_id, region_code=row.region_code, reason=request.reason,
        withdrawn_on=today), key=str(row.failing_product_id))
    await session.flush()
    return BackupRead.of(row)


async def listing(session: AsyncSession, *, product_id: int) -> BackupList:
    await products.product_or_404(session, product_id=product_id)
    return BackupList(items=[BackupRead.of(b) for b in await repository.of_product(session, product_id)])
