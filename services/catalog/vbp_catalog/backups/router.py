from typing import Annotated

from fastapi import APIRouter, Path
from vbpkit.db.engine import SessionDep
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.runtime.service_app import ClockDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles

from vbp_catalog.backups import service
from vbp_catalog.backups.schemas import BackupDesignation, BackupList, BackupRead, Withdrawal

router = APIRouter(tags=["backups (CAT-13)"])
Id = Annotated[int, Path(ge=1, le=BIGINT_MAX)]


@router.post("/products/{product_id}/backups", status_code=201, response_model=BackupRead,
             dependencies=[require_roles(Role.INSURER, Role.ADMIN)],
             summary="Designate a backup (备选/替补) for a failing winning product in your region: another winner of the "
                     "group at its own price, or a listed non-winning product at most the policy's cap (CAT-13)")
async def designate(product_id: Id, body: BackupDesignation, session: SessionDep, principal: PrincipalDep,
                    clock: ClockDep) -> BackupRead:
    return await service.designate(session, product_id=product_id, request=body, principal=principal,
                                   today=clock.today())


@router.get("/products/{product_id}/backups", response_model=BackupList,
            summary="The backup designations naming a product, as the failing product or as the backup (CAT-13)")
async def backups(product_id: Id, session: SessionDep) -> BackupList:
    return await service.listing(session, product_id=product_id)


@router.post("/backups/{backup_id}/withdrawal", response_model=BackupRead,
             dependencies=[require_roles(Role.INSURER, Role.ADMIN)],
             summary="Withdraw a backup designation of your region (CAT-13)")
async def withdraw(backup_id: Id, body: Withdrawal, session: SessionDep, principal: PrincipalDep,
                   clock: ClockDep) -> BackupRead:
    return await service.withdraw(session, backup_id=backup_id, request=body, principal=principal,
                                  today=clock.today(), now=clock.now())
