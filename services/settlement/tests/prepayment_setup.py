"""Settlement's projections and agreement events as SET-3 tests need them, on a real database."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from vbp_settlement.prepayments.handlers import HANDLERS
from vbpkit.events import Envelope
from vbpkit.messaging.handlers import apply
from vbpkit.domain.policy import policy_from_preset
from vbpkit.projections.catalog_view.models import BatchView
from vbpkit.projections.registry.models import InstitutionView, fund_for_level

MANUFACTURERS = ("91500000MA5U0000A1", "91500000MA5U0000B2", "91500000MA5U0000C3")
DISTRIBUTOR = "91500000MA5U0000D4"


async def given_batch(sessions, code: str, preset: str, starts_on: date, ends_on: date) -> None:
    async with sessions() as session, session.begin():
        session.add(BatchView(code=code, name=code, kind="consumable", starts_on=starts_on, ends_on=ends_on,
                              ended_early_on=None, policy=policy_from_preset(preset), groups=[],
                              as_of=datetime.now(timezone.utc)))


async def given_hospital(sessions, code: str, level: int, region_code: str = "500101") -> None:
    async with sessions() as session, session.begin():
        session.add(InstitutionView(code=code, name=code, level=level, kind="public", region_code=region_code,
                                    fund=fund_for_level(level), as_of=datetime.now(timezone.utc)))


def agreement(*, batch: str, hospital: str, year: int, manufacturer: str, items: list[tuple[int, int, int]],
              agreement_id: int, version_no: int = 1, on: datetime | None = None) -> Envelope:
    """items: (product id, agreed quantity, unit price fen)."""
    facts = [{"product_id": p, "agreed_quantity": q, "unit_price_fen": f} for p, q, f in items]
    return Envelope(event_id=uuid.uuid4(), type="contracts.agreement.effective", version=1,
                    occurred_at=on or datetime(2025, 6, 1, 2, tzinfo=timezone.utc), producer="contracts",
                    key=hospital, data=dict(
                        agreement_id=agreement_id, batch_code=batch, agreement_year=year, hospital_code=hospital,
                        manufacturer_code=manufacturer, distributor_code=DISTRIBUTOR, version_no=version_no,
                        with_service=True, items=facts, agreed_amount_fen=sum(q * f for _, q, f in items),
                        content_sha256="0" * 64))


async def deliver(sessions, *envelopes: Envelope) -> None:
    async with sessions() as session, session.begin():
        for e in envelopes:
            await apply(session, HANDLERS[e.type], e)
