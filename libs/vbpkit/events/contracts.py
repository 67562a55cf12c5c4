"""Events produced by the contracts service (topic ``vbp.contracts``). Money is int fen."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

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
    ordered_on: date | None = None  # the order's day in Asia/Shanghai (CON-9); None in events before it


@event_schema
class DeliveryAccepted(Event):
    """CON-5: the "purchase recorded" fact. One event per accepted delivery line; a return
    is the same fact with a negative quantity and its reason. Superseded by v2 (producers
    emit v2 and ``contracts.delivery.returned``); kept so events already published parse."""

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


class SupplyLineFacts(BaseModel):
    """Who supplies what to whom on one order line: the keys MON-6 and MON-8 group by."""

    order_id: int
    line_no: int
    hospital_code: str
    product_id: int
    batch_code: str
    agreement_id: int
    manufacturer_code: str
    distributor_code: str
    quantity: int
    ordered_on: date


@event_schema
class OrderLineConfirmed(Event):
    """CON-4: the designated distributor will supply this line (MON-8 supply: ordered vs
    delivered; MON-6 fill rate counts the delivery window from ``ordered_on``)."""

    type = "contracts.order_line.confirmed"
    version = 1

    line: SupplyLineFacts
    confirmed_on: date


@event_schema
class OrderLineDeclined(Event):
    """CON-4: the designated distributor will not supply this line, and says why — a failed
    supply for MON-6 (a breach unless force majeure) and MON-8."""

    type = "contracts.order_line.declined"
    version = 1

    line: SupplyLineFacts
    declined_on: date
    reason: str


class DeliveredLineFacts(BaseModel):
    line_no: int
    product_id: int
    batch_code: str
    agreement_id: int
    manufacturer_code: str
    quantity: int
    lot: str
    udi: str | None
    ordered_quantity: int


@event_schema
class DeliveryRecorded(Event):
    """CON-5: a distributor delivered (part of) an order; MON-6 lead time is
    ``delivered_on − ordered_on``, MON-8 supply sums the quantities."""

    type = "contracts.delivery.recorded"
    version = 1

    delivery_id: int
    order_id: int
    hospital_code: str
    distributor_code: str
    ordered_on: date
    delivered_on: date
    lines: list[DeliveredLineFacts]


@event_schema
class DeliveryAcceptedV2(Event):
    """CON-5: the "purchase recorded" fact, one event per accepted delivery line, with the
    dates MON-6 measures lead time between. Unlike v1 it is never negative: a return is its
    own event, ``contracts.delivery.returned``."""

    type = "contracts.delivery.accepted"
    version = 2

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
    ordered_on: date
    delivered_on: date
    accepted_on: date


@event_schema
class DeliveryReturned(Event):
    """CON-5 退货: accepted goods sent back. ``quantity`` and ``amount_fen`` are positive;
    consumers subtract them from progress (MON-1) and what can be invoiced (SET-1)."""

    type = "contracts.delivery.returned"
    version = 1

    return_id: int
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
    quantity: int = Field(gt=0)
    unit_price_fen: int
    amount_fen: int = Field(ge=0)
    returned_on: date
    reason: str


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


@event_schema
class VolumeTransferred(Event):
    """CON-7 (seeds 003 备选和应急保障措施, 004 增加替补供应企业): the insurer moved ``quantity``
    of a hospital's failing item to the designated backup from ``transfer_on``. The failing
    item is assessed only up to the day before (pro rata, as an early end); the backup's item
    is in agreement ``backup_agreement_id`` (a new version, signed by the three parties) and,
    when ``emergency``, orders for it go to ``distributor_code`` at once."""

    type = "contracts.volume.transferred"
    version = 1

    transfer_id: int
    batch_code: str
    agreement_year: int
    hospital_code: str
    failing_product_id: int
    failing_agreement_id: int
    failing_manufacturer_code: str
    backup_id: int
    backup_product_id: int
    backup_agreement_id: int
    backup_manufacturer_code: str
    backup_item_new: bool
    distributor_code: str | None
    quantity: int
    unit_price_fen: int
    transfer_on: date
    emergency: bool
    reason: str


@event_schema
class AgreementGenerated(Event):
    """CON-2: an agreement version was generated (or a draft refreshed) and awaits the three
    signatures; MON-15 alerts the parties that have not signed by the policy's deadline."""

    type = "contracts.agreement.generated"
    version = 1

    agreement_id: int
    batch_code: str
    agreement_year: int
    hospital_code: str
    manufacturer_code: str
    version_no: int
    generated_on: date


@event_schema
class AgreementSigned(Event):
    """CON-2: one party signed an agreement (hospital, manufacturer or distributor)."""

    type = "contracts.agreement.signed"
    version = 1

    agreement_id: int
    party: str
    distributor_code: str | None = None
    signed_on: date


@event_schema
class AccountRequested(Event):
    """CON-10 (seed 003: 医疗机构应积极配合做好账户开户等工作): a distributor asked a hospital to open
    its account (the supplier account the hospital pays and orders through)."""

    type = "contracts.account.requested"
    version = 1

    request_id: int
    distributor_code: str
    hospital_code: str
    batch_code: str
    requested_on: date


@event_schema
class AccountOpened(Event):
    """CON-10: the hospital opened the distributor's account."""

    type = "contracts.account.opened"
    version = 1

    request_id: int
    opened_on: date
