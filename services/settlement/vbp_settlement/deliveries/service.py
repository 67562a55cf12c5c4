"""SET-1: which accepted delivery lines may still be billed, and by whom."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events.contracts import DeliveryAccepted, DeliveryAcceptedV2
from vbpkit.web.identity import Principal

from vbp_settlement.deliveries import repository
from vbp_settlement.deliveries.models import AcceptedLine
from vbp_settlement.invoices import repository as invoices_repository
from vbp_settlement.parties import may_see, not_found


def biller_of(event: DeliveryAccepted | DeliveryAcceptedV2) -> str:
    """SET-1: the company that invoices an accepted line is its distributor (配送企业).

    The seeds make the hospital settle 货款 with "the companies concerned" without naming
    which (seed 001: 按协议与各有关企业及时结清货款; seed 003: 与企业结清货款); under the
    two-invoice rule (两票制) the manufacturer invoices the distributor and the distributor,
    which sells and delivers to the hospital, invoices the hospital. This is the one place
    that decides it."""
    return event.distributor_code


@dataclass(frozen=True)
class BillableLine:
    """An accepted line with what it may still bill (SET-1): accepted − returned − what live
    invoices already bill."""

    line: AcceptedLine
    invoiced_quantity: int

    @property
    def billable_quantity(self) -> int:
        return self.line.accepted_quantity - self.line.returned_quantity - self.invoiced_quantity


async def billable_lines(session: AsyncSession, *, delivery_id: int, principal: Principal) -> list[BillableLine]:
    """GW-5: a delivery the caller is not party to (hospital or biller) reads as missing."""
    lines = await repository.lines_of_delivery(session, delivery_id)
    if not lines or not may_see(principal, hospital=lines[0].hospital_code, company=lines[0].biller_code):
        raise not_found(f"accepted delivery {delivery_id}")
    invoiced = await invoices_repository.invoiced_quantities(session, [(l.delivery_id, l.line_no) for l in lines])
    return [BillableLine(line=l, invoiced_quantity=invoiced.get((l.delivery_id, l.line_no), 0)) for l in lines]
