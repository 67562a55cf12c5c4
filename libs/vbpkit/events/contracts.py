"""Events produced by the contracts service (topic ``vbp.contracts``). Money is int fen."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from vbpkit.events.envelope import Event, event_schema


@event_schema
class AgreedVolumeSet(Event):
    """CON-1: a hospital's agreed quantity of a product for an agreement year was set."""

    type = "contracts.agreed_volume.set"
    version = 1

    batch_code: str
    agreement_year: int
    hospital_code: str
    product_id: int
    quantity: int


class AgreementItemFacts(BaseModel):
    product_id: int
    agreed_quantity: int
    unit_price_fen: int


@event_schema
class AgreementEffective(Event):
    """CON-2: all three parties signed; the agreement binds from now (SET-3 prepays from it)."""

    type = "contracts.agreement.effective"
    version = 1

    agreement_id: int
    batch_code: str
    agreement_year: int
    hospital_code: str
    manufacturer_code: str
    distributor_code: str
    version_no: int
    with_service: bool
    items: list[AgreementItemFacts]
    agreed_amount_fen: int
    content_sha256: str


class OrderLineFacts(BaseModel):
    line_no: int
    product_id: int
    batch_code: str
    agreement_id: int
    manufacturer_code: str
    distributor_code: str
    quantity: int
    unit_price_fen: int
    beyond_agreed: bool


@event_schema
class OrderPlaced(Event):
    """CON-4: a HIS placed an order; each line is routed to its designated distributor."""

    type = "contracts.order.placed"
    version = 1

    order_id: int
    hospital_code: str
    his_order_no: str
    lines: list[OrderLineFacts]


@event_schema
class DeliveryAccepted(Event):
    """CON-5: the "purchase recorded" fact. One event per accepted delivery line; a return
    is the same fact with a negative quantity and its reason."""

    type = "contracts.delivery.accepted"
    version = 1

    delivery_id: int
    line_no: int
    order_id: int
    hospital_code: str
    product_id: int
    batch_code: str
    agreement_id: int
    agreement_year: int
    manufacturer_code: str
    distributor_code: str
    quantity: int
    unit_price_fen: int
    amount_fen: int
    accepted_on: date
    return_reason: str | None = None


@event_schema
class DistributorChanged(Event):
    """CON-6: a distributor was revoked or designated; open order lines moved with it."""

    type = "contracts.distributor.changed"
    version = 1

    agreement_id: int
    batch_code: str
    agreement_year: int
    hospital_code: str
    manufacturer_code: str
    previous_distributor_code: str | None
    distributor_code: str | None
    reason: str
    moved_order_lines: int
