"""MON-4 timeliness on a real database, from settlement's events applied as the consumer
would: the on-time payment rate, overdue invoices, late tranches and the fund's own payables."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from monitoring_setup import A, TABLE
from vbp_monitoring.alerts import service as alerts
from vbp_monitoring.timeliness import service
from vbpkit.events import Envelope
from vbpkit.web.identity import Principal, Role
from vbpkit.messaging.handlers import apply

ADMIN = Principal(role=Role.ADMIN, key_id="admin")


def event(event_type: str, version: int, key: str, **data) -> Envelope:
    return Envelope(event_id=uuid.uuid4(), type=event_type, version=version, occurred_at=datetime.now(timezone.utc),
                    producer="settlement", key=key, data=data)


def invoice(invoice_id: int, hospital: str, amount_fen: int, due_on: date) -> Envelope:
    return event("settlement.invoice.accepted", 1, hospital, invoice_id=invoice_id, number=f"N{invoice_id}",
                 company_code=A, hospital_code=hospital, amount_fen=amount_fen, accepted_on=date(2025, 8, 1),
                 due_on=due_on)


def payment(payment_id: int, invoice_id: int, hospital: str, amount_fen: int, paid_on: date) -> Envelope:
    return event("settlement.payment.recorded", 1, hospital, payment_id=payment_id, invoice_id=invoice_id,
                 number=f"N{invoice_id}", company_code=A, hospital_code=hospital, amount_fen=amount_fen,
                 paid_on=paid_on, unpaid_fen=0)


async def deliver(sessions, *envelopes: Envelope) -> None:
    async with sessions() as session, session.begin():
        for e in envelopes:
            await apply(session, TABLE[e.type], e)


class TestTimeliness:
    async def test_mon4_on_time_rate_overdue_late_tranches_and_the_funds_payables(self, sessions):
        """H1 had three invoices due in September 2025: one paid in full by its due date, one
        paid in part by then (the rest late, and found overdue), one reversed (红冲: does not
        count) — on-time rate 1 ÷ 2 = 0.5000, 300.00 unpaid by the due date. Its tranche 2
        due 2025-09-30 was found late; the fund paid September's payable on 2025-11-05,
        after the end of October: late; its August payable on 2025-09-20: on time. The checks
        of 2025-11-06 raise one MON-4 alert each for the overdue invoice, the late tranche and
        the late payable."""
        await deliver(sessions,
                      invoice(1, "H1", 100_000, date(2025, 9, 30)), payment(1, 1, "H1", 100_000, date(2025, 9, 25)),
                      invoice(2, "H1", 50_000, date(2025, 9, 30)), payment(2, 2, "H1", 20_000, date(2025, 9, 30)),
                      event("settlement.invoice.overdue", 1, "H1", invoice_id=2, number="N2", company_code=A,
                            hospital_code="H1", amount_fen=50_000, unpaid_fen=30_000, due_on=date(2025, 9, 30),
                            overdue_on=date(2025, 10, 1)),
                      payment(3, 2, "H1", 30_000, date(2025, 10, 8)),
                      invoice(3, "H1", 9_000, date(2025, 9, 15)),
                      event("settlement.invoice.reversed", 1, "H1", invoice_id=3, number="N3", company_code=A,
                            hospital_code="H1", amount_fen=9_000, reversed_on=date(2025, 9, 1), reason="开错"),
                      event("settlement.prepayment.late", 1, "H1", plan_id=7, batch_code="CQ", hospital_code="H1",
                            fund="employee", tranche=2, amount_fen=500_000, undisbursed_fen=500_000,
                            due_on=date(2025, 9, 30), late_on=date(2025, 10, 1)))
        for payable_id, month, paid_on in ((1, date(2025, 9, 1), date(2025, 11, 5)),
                                           (2, date(2025, 8, 1), date(2025, 9, 20))):
            await deliver(sessions, event(
                "settlement.offset.applied", 1, "H1", payable_id=payable_id, hospital_code="H1", fund="employee",
                month=month, version_no=1, amount_fen=1000, direct_settlements_fen=0, offset_fen=0, net_fen=1000,
                paid_on=paid_on, deductions=[], offsets=[]))
        async with sessions() as session:
            [september] = await service.timeliness(session, principal=ADMIN, month=date(2025, 9, 1),
                                                   hospital_code=None)
            [august] = await service.timeliness(session, principal=ADMIN, month=date(2025, 8, 1), hospital_code="H1")
        assert (september["invoices_due"], september["paid_on_time"], september["on_time_rate"],
                september["found_overdue"], september["unpaid_by_due_date_fen"]) == (2, 1, "0.5000", 1, 30_000)
        assert [(t["tranche"], t["late_on"]) for t in september["late_tranches"]] == [(2, "2025-10-01")]
        assert [(p["deadline"], p["late"]) for p in september["fund_payables"]] == [("2025-10-31", True)]
        assert [(p["deadline"], p["late"]) for p in august["fund_payables"]] == [("2025-09-30", False)]
        async with sessions() as session, session.begin():
            await alerts.run_alert_checks(session, today=date(2025, 11, 6))
        async with sessions() as session:
            raised, _ = await alerts.listing(session, principal=ADMIN, filters={}, region_code=None, after_id=None,
                                             limit=50)
        assert sorted((a.kind, a.period) for a in raised if a.rule == "MON-4") == [
            ("late_fund_payment", "2025-09"), ("late_tranche", "2025-09"), ("overdue_invoices", "2025-10")]
        h2 = Principal(role=Role.HOSPITAL, key_id="h2", tenant="H2")
        async with sessions() as session:
            assert await service.timeliness(session, principal=h2, month=date(2025, 9, 1), hospital_code=None) == []
