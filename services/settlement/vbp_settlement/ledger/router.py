from typing import Annotated

from fastapi import APIRouter, Path, Query
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep

from vbp_settlement.ledger import service
from vbp_settlement.ledger.schemas import AccountRead, MovementRead

router = APIRouter(tags=["ledger"])


@router.get("/ledger/accounts/{address}", response_model=AccountRead,
            summary="A ledger account's balance and latest movements with their causes (SET-6); "
                    "a hospital or company reads only its own accounts")
async def read_account(address: Annotated[str, Path(max_length=128)], session: SessionDep, principal: PrincipalDep,
                       limit: Annotated[int, Query(ge=1, le=500)] = 100) -> AccountRead:
    row, balance, movements = await service.account_statement(session, address=address, principal=principal,
                                                               limit=limit)
    return AccountRead(address=row.address, overdraft_allowed=row.overdraft_allowed, balance=balance, movements=[
        MovementRead(transaction_id=t.id, cause_kind=t.cause_kind, cause_ref=t.cause_ref, description=t.description,
                     counterparty=p.source if p.destination == address else p.destination,
                     amount=p.amount_fen if p.destination == address else -p.amount_fen, recorded_at=t.recorded_at)
        for p, t in movements])
