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
