"""SET-1: which accepted delivery lines may still be billed, and by whom."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events.contracts import DeliveryAccepted, DeliveryAcceptedV2
from vbpkit.projections.accepted_lines import AcceptedLine
from vbpkit.projections.accepted_lines import repository as accepted_lines
from vbpkit.projections.accepted_lines.repository import Key
from vbpkit.web.identity import Principal
from vbpkit.web.parties import may_see, not_found

from vbp_settlement.deliveries import repository
from vbp_settlement.invoices import repository as invoices_repository


def biller_of(event: DeliveryAccepted | DeliveryAcceptedV2) -> str:
    """SET-1: the company that invoices an accepted line is its distributor (配送企业).

    The seeds make the hospital settle 货款 with "the companies concerned" without naming
    which (seed 001: 按协议与各有关企业及时结清货款; seed 003: 与企业结清货款); under the
    two-invoice rule (两票制) the manufacturer invoices the distributor and the distributor,
    which sells and delivers to the hospital, invoices the hospital. This is the one place
    that decides it."""
    return event.distributor_code


@dataclass(frozen=True)
class BilledLine:
    """An accepted line as SET-1 bills it: the kit's accepted line, the company that invoices it,
    and what was returned of it so far — derived from the dated returns, never a second counter."""

    line: AcceptedLine
    biller_code: str
    returned_quantity: int

    @property
    def accepted_quantity(self) -> int:
        return self.line.quantity


async def billed_lines(session: AsyncSession, keys: Iterable[Key], *, for_update: bool = False
                       ) -> dict[Key, BilledLine]:
    """The named lines known here, as SET-1 bills them; ``for_update`` locks them (invoicing)."""
    found = await repository.billed(session, keys, for_update=for_update)
    returned = await accepted_lines.returned_quantities(session, found)
    return {key: BilledLine(line=line, biller_code=biller, returned_quantity=returned.get(key, 0))
            for key, (line, biller) in found.items()}


@dataclass(frozen=True)
class BillableLine:
    """An accepted line with what it may still bill (SET-1): accepted − returned − what live
    invoices already bill."""

    billed: BilledLine
    invoiced_quantity: int

    @property
    def billable_quantity(self) -> int:
        return self.billed.accepted_quantity - self.billed.returned_quantity - self.invoiced_quantity


async def billable_lines(session: AsyncSession, *, delivery_id: int, principal: Principal) -> list[BillableLine]:
    """GW-5: a delivery the caller is not party to (hospital or biller) reads as missing."""
    lines = list((await billed_lines(session, await repository.keys_of_delivery(session, delivery_id))).values())
    if not lines or not may_see(principal, hospital=lines[0].line.hospital_code, companies=[lines[0].biller_code]):
        raise not_found(f"accepted delivery {delivery_id}")
    keys = [(b.line.delivery_id, b.line.line_no) for b in lines]
    invoiced = await invoices_repository.invoiced_quantities(session, keys)
    return [BillableLine(billed=b, invoiced_quantity=invoiced.get(key, 0)) for b, key in zip(lines, keys, strict=True)]
