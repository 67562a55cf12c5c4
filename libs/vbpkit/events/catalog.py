"""Events produced by the catalog service (topic ``vbp.catalog``)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from vbpkit.events.envelope import Event, event_schema
from vbpkit.domain.policy import ExecutionPolicy


@event_schema
class InstitutionRegistered(Event):
    """CAT-9: an institution was registered or its registry entry changed.

    Consumers keep it in their read models: the level decides the fund a prepayment
    draws on (SET-3), the region drives monitoring roll-ups (MON-1, MON-8).
    """

    type = "catalog.institution.registered"
    version = 1

    code: str = Field(min_length=1, max_length=64)
    name: str
    level: Literal[1, 2, 3]
    kind: Literal["public", "military", "private", "retail_pharmacy"]
    region_code: str = Field(pattern=r"^\d{6}$")


@event_schema
class CompanyRegistered(Event):
    """CAT-9: a company (manufacturer and/or distributor) was registered or changed."""

    type = "catalog.company.registered"
    version = 1

    credit_code: str = Field(min_length=18, max_length=18)
    name: str
    roles: list[Literal["manufacturer", "distributor"]]


@event_schema
class BatchPublished(Event):
    """CAT-1: a batch was created, extended or ended early.

    Carries the whole execution policy (DESIGN §4) so that no service ever asks the
    catalog for it; each publication replaces the previous one for the batch.
    """

    type = "catalog.batch.published"
    version = 1

    code: str
    name: str
    kind: Literal["drug", "consumable"]
    organiser_level: Literal["national", "alliance", "provincial", "prefecture"]
    document_no: str
    starts_on: date
    ends_on: date
    planned_ends_on: date
    cycle_years: int | None
    ended_early_on: date | None
    end_reason: str | None
    groups: list[dict[str, str]]
    policy: dict[str, Any]


@event_schema
class BatchPublishedV2(Event):
    """CAT-1: a batch was created, extended or ended early — with its policy typed.

    Version 2 of ``catalog.batch.published``: the same facts as v1, but the execution
    policy is the kit's `ExecutionPolicy` (DESIGN §4) instead of a free dict, so a consumer
    reads ``policy.renewal.kind`` and a malformed policy is refused at the schema, not deep
    inside a renewal check. Consumers handle v1 too (its dict parses into the same model).
    """

    type = "catalog.batch.published"
    version = 2

    code: str
    name: str
    kind: Literal["drug", "consumable"]
    organiser_level: Literal["national", "alliance", "provincial", "prefecture"]
    document_no: str
    starts_on: date
    ends_on: date
    planned_ends_on: date
    cycle_years: int | None
    ended_early_on: date | None
    end_reason: str | None
    groups: list[dict[str, str]]
    policy: ExecutionPolicy

    @classmethod
    def of(cls, event: BatchPublished | BatchPublishedV2) -> BatchPublishedV2:
        """Either published version as v2: v1's policy dict parses into the typed policy."""
        if isinstance(event, cls):
            return event
        return cls.model_validate(event.model_dump())


class ProductFacts(Event):
    """What every product event carries: enough for a read model to need nothing else."""

    product_id: int
    batch_code: str
    group_code: str | None
    registration_no: str
    spec: str
    name: str
    applicant: str
    applicant_credit_code: str | None
    unit: str
    winning: bool
    product_price_fen: int
    service_price_fen: int
    winning_price_fen: int
    status: Literal["pre_listed", "listed", "suspended", "disqualified", "delisted"]
    renewed_from: str | None
    insurance_code: str | None = Field(default=None, description="CAT-11 national insurance code (医保药品/耗材代码)")


@event_schema
class ProductListed(ProductFacts):
    """CAT-3/CAT-4/CAT-5: a product was listed for a batch, or its listing changed."""

    type = "catalog.product.listed"
    version = 1


@event_schema
class ProductPriceChanged(ProductFacts):
    """CAT-6: the winning price changed from ``effective_on`` (``previous_winning_price_fen`` before)."""

    type = "catalog.product.price_changed"
    version = 1

    previous_winning_price_fen: int
    effective_on: date
    reason: str


@event_schema
class ProductStatusChanged(ProductFacts):
    """A product was suspended, disqualified (e.g. CAT-6 取消中选资格), delisted or listed again."""

    type = "catalog.product.status_changed"
    version = 1

    previous_status: str
    effective_on: date
    reason: str


@event_schema
class BackupDesignated(Event):
    """CAT-13 备选/替补供应 (seeds 003/004): the insurer designated ``backup_product_id`` to supply
    for the failing ``failing_product_id`` in ``region_code`` and the regions under it, at the
    backup's own price (``price_fen``, with service; a non-winning backup at most
    ``price_cap_fen``)."""

    type = "catalog.backup.designated"
    version = 1

    backup_id: int
    batch_code: str
    group_code: str | None
    failing_product_id: int
    failing_manufacturer_code: str | None
    backup_product_id: int
    backup_manufacturer_code: str | None
    backup_winning: bool
    region_code: str
    price_fen: int
    price_cap_fen: int | None
    reason: str
    designated_on: date


@event_schema
class BackupWithdrawn(Event):
    """CAT-13: a backup designation no longer stands."""

    type = "catalog.backup.withdrawn"
    version = 1

    backup_id: int
    batch_code: str
    failing_product_id: int
    backup_product_id: int
    region_code: str
    reason: str
    withdrawn_on: date


@event_schema
class PaymentStandardChanged(Event):
    """CAT-11 医保支付标准: a product's payment standard from ``effective_from`` — its rule
    (``winning_price`` | ``listing_price`` | ``fixed`` by the insurer | ``frozen``), amount
    (None while a frozen standard has no earlier value), category and scope."""

    type = "catalog.payment_standard.changed"
    version = 1

    product_id: int
    batch_code: str
    effective_from: date
    rule: Literal["winning_price", "listing_price", "fixed", "frozen"]
    amount_fen: int | None
    category: Literal["甲类", "乙类"] | None
    in_catalogue: bool
    excluded_content: bool
    reason: str


@event_schema
class PreListingMissed(ProductFacts):
    """CAT-12 预挂网 (seeds 000/002): a winning product was not pre-listed by the deadline, the
    batch policy's working days before execution starts; once per product. Monitoring lists
    it with its other alerts."""

    type = "catalog.pre_listing.missed"
    version = 1

    starts_on: date
    deadline_on: date
    raised_on: date
    explain: dict[str, Any]


@event_schema
class LotHeld(Event):
    """CAT-14 质量问题处置 (seeds 000/004): the insurer put lot ``lot`` of a product on hold; an
    acceptance of a delivery line with it is refused (CON-5), and monitoring alerts the
    hospitals that accepted it before."""

    type = "catalog.lot.held"
    version = 1

    hold_id: int
    product_id: int
    batch_code: str
    manufacturer_code: str | None = None
    lot: str
    reason: str
    held_on: date


@event_schema
class LotReleased(Event):
    """CAT-14: a held lot may be accepted again."""

    type = "catalog.lot.released"
    version = 1

    hold_id: int
    product_id: int
    lot: str
    reason: str
    released_on: date


class ServedRegion(BaseModel):
    region_code: str
    accompanying_service: bool


@event_schema
class DistributorRegionsDeclared(Event):
    """CAT-15 (seed 004: 配送及其伴随服务能力应覆盖协议供应地区): the regions a distributor serves
    (each with the regions under it) and where it gives accompanying service — the whole set,
    replacing the one declared before."""

    type = "catalog.distributor.regions_declared"
    version = 1

    credit_code: str
    regions: list[ServedRegion]
    declared_on: date


@event_schema
class CalendarYearLoaded(Event):
    """CAT-10: ops loaded a year's official working-day schedule (放假日 and 调休上班日), which
    replaces the ``chinese-calendar`` seed for that year wherever working days are counted."""

    type = "catalog.calendar.year_loaded"
    version = 1

    year: int
    holidays: list[date]
    makeup_workdays: list[date]
    document: str
