"""CON-10 in monitoring on a real database (seed 003: 医疗机构应积极配合做好账户开户等工作): an account
request is judged on the CAT-10 working-day calendar catalog keeps — not at all in a year nobody
loaded (never a weekend-only guess), and by the official schedule once ops load it."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from monitoring_setup import deliver, event
from vbp_monitoring.alerts import service as alerts
from vbpkit.events import Envelope
from vbpkit.web.identity import Principal, Role

ADMIN = Principal(role=Role.ADMIN, key_id="admin")
D = "91500000MA5U0000D4"


def year_loaded(year: int, holidays: list[date], makeup: list[date]) -> Envelope:
    return Envelope(event_id=uuid.uuid4(), type="catalog.calendar.year_loaded", version=1,
                    occurred_at=datetime.now(timezone.utc), producer="catalog", key=str(year), data=dict(
                        year=year, holidays=holidays, makeup_workdays=makeup, document="国办发明电〔2026〕1号"))


async def raised(sessions, today: date) -> list:
    async with sessions() as session, session.begin():
        await alerts.run_alert_checks(session, today=today)
    async with sessions() as session:
        found, _ = await alerts.listing(session, principal=ADMIN, filters={"kind": "account_not_opened"},
                                        region_code=None, after_id=None, limit=10)
    return found


async def test_con10_counted_on_the_loaded_calendar_and_not_before_it_is_loaded(sessions):
    """H1's account was asked for on Monday 2027-01-04. 2027 is not seeded: nothing is judged on
    2027-01-25. Ops load 2027 with 2027-01-11 … 2027-01-13 off: ten working days end on
    Thursday 2027-01-21 (5, 6, 7, 8, 14, 15, 18, 19, 20, 21), so on 2027-01-22 it is alerted."""
    await deliver(sessions, event("contracts.account.requested", 1, "H1", request_id=7, distributor_code=D,
                                  hospital_code="H1", batch_code="CQ", requested_on=date(2027, 1, 4)))
    assert await raised(sessions, date(2027, 1, 25)) == []
    await deliver(sessions, year_loaded(2027, [date(2027, 1, 11), date(2027, 1, 12), date(2027, 1, 13)], []))
    assert await raised(sessions, date(2027, 1, 21)) == []
    [alert] = await raised(sessions, date(2027, 1, 22))
    assert (alert.hospital_code, alert.company_code, alert.subject, alert.details["due_on"]) == (
        "H1", D, "7", "2027-01-21")
    await deliver(sessions, event("contracts.account.opened", 1, "H1", request_id=7, opened_on=date(2027, 1, 22)))
    async with sessions() as session, session.begin():
        assert await alerts.run_alert_checks(session, today=date(2027, 2, 1)) == []
