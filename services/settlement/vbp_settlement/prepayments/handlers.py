"""SET-3: ``contracts.agreement.effective`` creates or grows the hospital's prepayment plan.

The inbox records the event id with the plan's change, so a redelivered agreement is not
counted twice; a repeated or older version of a manufacturer's agreement changes nothing.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events import Envelope
from vbpkit.events.contracts import AgreementEffective

from vbp_settlement.prepayments import service

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def on_agreement_effective(session: AsyncSession, event: AgreementEffective, envelope: Envelope) -> None:
    await service.apply_agreement(session, event, effective_on=envelope.occurred_at.astimezone(SHANGHAI).date())


HANDLERS = {"contracts.agreement.effective": on_agreement_effective}
