"""Monitoring's facts as MON tests need them: contracts' events built and applied as the
consumer would, on a real database (the ``sessions`` fixture is in conftest.py)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from vbp_monitoring.consumers import HANDLERS, PROJECTIONS
from vbpkit.events import Envelope
from vbpkit.web.identity import Principal, Role
from vbpkit.messaging.handlers import apply
from vbpkit.projections import merged_handlers
from vbpkit.domain.policy import policy_from_preset
from vbpkit.projections.catalog_view.models import BatchView
from vbpkit.projections.registry.models import InstitutionView, fund_for_level

A, B = "91500000MA5U0000A1", "91500000MA5U0000B2"
ADMIN = Principal(role=Role.ADMIN, key_id="admin")
# every handler of monitoring's consumer, the projections' first, as the service runs them
TABLE = merged_handlers(PROJECTIONS, HANDLERS)


def event(event_type: str, version: int, key: str, **data) -> Envelope:
    return Envelope(event_id=uuid.uuid4(), type=event_type, version=version, occurred_at=datetime.now(timezone.utc),
                    producer="contracts", key=key, data=data)


def agreement(agreement_id: int, hospital: str, manufacturer: str, items: list[tuple[int, int, int]],
              version_no: int = 1, batch: str = "CQ") -> Envelope:
    return event("contracts.agreement.effective", 1, hospital, agreement_id=agreement_id, batch_code=batch,
                 agreement_year=1, hospital_code=hospital, manufacturer_code=manufacturer,
                 distributor_code="91500000MA5U0000D4", version_no=version_no, with_service=True,
                 items=[{"product_id": p, "agreed_quantity": q, "unit_price_fen": f} for p, q, f in items],
                 agreed_amount_fen=sum(q * f for _, q, f in items), content_sha256="0" * 64)


def accepted(delivery_id: int, hospital: str, manufacturer: str, product: int, quantity: int, price_fen: int,
             on: date, batch: str = "CQ") -> Envelope:
    return event("contracts.delivery.accepted", 2, hospital, delivery_id=delivery_id, line_no=1, order_id=delivery_id,
                 hospital_code=hospital, product_id=product, batch_code=batch, agreement_id=1, agreement_year=1,
                 manufacturer_code=manufacturer, distributor_code="91500000MA5U0000D4", quantity=quantity,
                 unit_price_fen=price_fen, amount_fen=quantity * price_fen, ordered_on=on, delivered_on=on,
                 accepted_on=on)


def returned(delivery_id: int, hospital: str, quantity: int, price_fen: int, on: date) -> Envelope:
    return event("contracts.delivery.returned", 1, hospital, return_id=delivery_id, delivery_id=delivery_id,
                 line_no=1, order_id=delivery_id, hospital_code=hospital, product_id=11, batch_code="CQ",
                 agreement_id=1, agreement_year=1, manufacturer_code=A, distributor_code="91500000MA5U0000D4",
                 quantity=quantity, unit_price_fen=price_fen, amount_fen=quantity * price_fen, returned_on=on,
                 reason="破损")


def transferred(transfer_id: int, hospital: str, failing: int, backup: int, quantity: int, on: date, *,
                new: bool = True, backup_agreement: int = 2) -> Envelope:
    """contracts.volume.transferred (CON-7): ``quantity`` of H's item of ``failing`` (manufacturer A,
    agreement 1) moved to ``backup`` (manufacturer B) from ``on``."""
    return event("contracts.volume.transferred", 1, hospital, transfer_id=transfer_id, batch_code="CQ",
                 agreement_year=1, hospital_code=hospital, failing_product_id=failing, failing_agreement_id=1,
                 failing_manufacturer_code=A, backup_id=1, backup_product_id=backup,
                 backup_agreement_id=backup_agreement, backup_manufacturer_code=B, backup_item_new=new,
                 distributor_code="91500000MA5U0000D4", quantity=quantity, unit_price_fen=1200, transfer_on=on,
                 emergency=True, reason="中选企业断供")


def status_changed(product: int, status: str, on: date, reason: str) -> Envelope:
    """catalog.product.status_changed of product ``product`` (batch CQ) from ``on``."""
    return Envelope(event_id=uuid.uuid4(), type="catalog.product.status_changed", version=1,
                    occurred_at=datetime.now(timezone.utc), producer="catalog", key=str(product), data=dict(
                        product_id=product, batch_code="CQ", group_code=None, registration_no=f"R{product}",
                        spec="1", name=f"P{product}", applicant="A", applicant_credit_code=A, unit="个", winning=True,
                        product_price_fen=1000, service_price_fen=0, winning_price_fen=1000, status=status,
                        renewed_from=None, previous_status="listed", effective_on=on, reason=reason))


async def deliver(sessions, *envelopes: Envelope) -> None:
    async with sessions() as session, session.begin():
        for e in envelopes:
            await apply(session, TABLE[e.type], e)


async def add_batch_and_hospitals(maker) -> None:
    """What catalog would have told monitoring: the batch CQ and the hospitals H1, H2, H3."""
    now = datetime.now(timezone.utc)
    async with maker() as session, session.begin():
        # chongqing-2025 from 2025-01-01 for two years: year 1 is 2025-01-01 … 2025-12-31 (365 days)
        session.add(BatchView(code="CQ", name="CQ", kind="consumable", starts_on=date(2025, 1, 1),
                              ends_on=date(2026, 12, 31), ended_early_on=None,
                              policy=policy_from_preset("chongqing-2025"), groups=[], as_of=now))
        for code, region in (("H1", "500103"), ("H2", "500157"), ("H3", "510104")):
            session.add(InstitutionView(code=code, name=code, level=3, kind="public", region_code=region,
                                        fund=fund_for_level(3), as_of=now))
