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
