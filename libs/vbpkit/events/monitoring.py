"""Events produced by the monitoring service (topic ``vbp.monitoring``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from vbpkit.events.envelope import Event, event_schema


@event_schema
class AlertRaised(Event):
    """MON-2 … MON-10: a condition the bureau watches was found, once per condition and period
    (e.g. stockpiling of one product by one hospital in one month; a hospital not yet
    onboarded two months after a batch started). ``details`` is the alert's explain."""

    type = "monitoring.alert.raised"
    version = 1

    alert_id: int
    kind: str
    rule: str
    period: str
    batch_code: str
    hospital_code: str
    company_code: str | None = None
    product_id: int | None = None
    region_code: str | None = None
    raised_on: date
    details: dict[str, Any]
    subject: str | None = None  # the lot held (lot_hold); None for most kinds


@event_schema
class RatingChanged(Event):
    """MON-6 信用评价: a company's rating — the most severe breach of the last 12 months not
    exempted for force majeure, ``None`` for none — changed. Catalog consumes it: where a
    batch's policy says so, a 严重 or 特别严重 rating suspends the company's listings in it
    and a later better rating restores them (CAT-12)."""

    type = "monitoring.rating.changed"
    version = 1

    company_code: str
    previous_rating: str | None
    rating: str | None
    changed_on: date
    breach_ids: list[int]
    batch_codes: list[str]
    reason: str


@event_schema
class HisRowsUploaded(Event):
    """MON-11: a hospital's HIS sent rows of a national 进销存 interface (3501–3506). Counts
    only — what was stored is read from monitoring; no patient, prescriber or pharmacist
    identity is ever kept, so none is announced."""

    type = "monitoring.his.uploaded"
    version = 1

    hospital_code: str
    interface: str
    data_type: str
    msgid: str | None = None
    received: int
    stored: int
    unchanged: int
    refused: int
    months: list[str]


@event_schema
class HisRowsDeleted(Event):
    """MON-11 (3507 商品信息删除): a hospital deleted stored rows by ``fixmedins_bchno`` and data
    type, so that it may send them again with other content."""

    type = "monitoring.his.deleted"
    version = 1

    hospital_code: str
    deleted: list[dict[str, str]]
    months: list[str]


@event_schema
class HisMonthReconciled(Event):
    """MON-11: a month of one hospital's HIS purchases was reconciled with the platform's
    acceptances once the month's upload was due and the matching window had passed. Quantities
    are in catalog units, decimal strings to 4 places."""

    type = "monitoring.his.reconciled"
    version = 1

    hospital_code: str
    month: str
    region_code: str | None = None
    products: int
    his_net: str
    platform_net: str
    off_platform: str
    unmapped_codes: int


@event_schema
class SupplyReportFiled(Event):
    """MON-13: a hospital reported a supply problem against an order (or a line of it), naming a
    company (seeds 000/004 及时报告)."""

    type = "monitoring.supply_report.filed"
    version = 1

    report_id: int
    hospital_code: str
    region_code: str | None = None
    company_code: str
    batch_code: str
    order_id: int
    line_no: int | None = None
    kind: str
    occurred_on: date


@event_schema
class SupplyReportDecided(Event):
    """MON-13: the insurer confirmed a supply report into a MON-6 breach (``breach_id``) or
    dismissed it."""

    type = "monitoring.supply_report.decided"
    version = 1

    report_id: int
    hospital_code: str
    company_code: str
    decision: str
    breach_id: int | None = None
    reason: str
    decided_on: date


@event_schema
class BreachCostRecorded(Event):
    """MON-13: a cost a hospital proved against a company's breach was recorded (seeds 003/004
    承担所有费用) — reported against the company, not deducted."""

    type = "monitoring.breach_cost.recorded"
    version = 1

    cost_id: int
    breach_id: int
    company_code: str
    hospital_code: str
    amount_fen: int
    what_for: str
    incurred_on: date


@event_schema
class ShortageReported(Event):
    """MON-12 (seed 004: 短缺…逐级上报): a hospital or a county insurer reported that a product is
    short in a region since a day, by a quantity."""

    type = "monitoring.shortage.reported"
    version = 1

    shortage_id: int
    product_id: int
    batch_code: str
    company_code: str
    region_code: str
    hospital_code: str | None = None
    since: date
    quantity_short: int


@event_schema
class ShortageEscalated(Event):
    """MON-12: the insurer handling a shortage passed it to the insurer of the parent region."""

    type = "monitoring.shortage.escalated"
    version = 1

    shortage_id: int
    product_id: int
    from_region_code: str
    to_region_code: str
    escalated_on: date


@event_schema
class ShortageResolved(Event):
    """MON-12: the insurer handling a shortage resolved it with what was done (``action``: a
    backup designated, a volume transfer, supply restored, other)."""

    type = "monitoring.shortage.resolved"
    version = 1

    shortage_id: int
    product_id: int
    region_code: str
    action: str
    resolved_on: date


@event_schema
class ObstructionReported(Event):
    """MON-14 (seeds 001/003/004): a company party to an agreement with a hospital reported that
    the hospital obstructs the winning products' use or supply (``kind``)."""

    type = "monitoring.obstruction.reported"
    version = 1

    complaint_id: int
    hospital_code: str
    region_code: str | None = None
    company_code: str
    batch_code: str
    kind: str
    occurred_on: date


@event_schema
class ObstructionFound(Event):
    """MON-14: the insurer of the hospital's region found a complaint substantiated or not."""

    type = "monitoring.obstruction.found"
    version = 1

    complaint_id: int
    hospital_code: str
    company_code: str
    finding: str
    found_on: date
