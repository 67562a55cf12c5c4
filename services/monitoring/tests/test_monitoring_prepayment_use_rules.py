"""MON-10 prepayment use (专款专用, seed 001) on a real database: what the fund prepaid a
hospital for a batch against what it passed on to that batch's suppliers, and the shortfall
while the batch's invoices stood unpaid past due — figures worked out by hand."""

from __future__ import annotations

from datetime import date

from test_monitoring_timeliness_rules import ADMIN, deliver, event, payment
from vbp_monitoring.alerts import service as alerts
from vbp_monitoring.prepayment_use import service


def submitted(invoice_id: int, due_on: date, parts: dict[str, int]) -> list:
    """An invoice of H1 billing ``parts`` (batch → fen), submitted and accepted."""
    lines = [{"delivery_id": invoice_id * 10 + i, "line_no": 1, "product_id": 11, "batch_code": b, "quantity": 1,
              "unit_price_fen": a, "amount_fen": a, "accepted_on": "2025-08-01", "due_on": due_on.isoformat()}
             for i, (b, a) in enumerate(parts.items())]
    total = sum(parts.values())
    return [event("settlement.invoice.submitted", 1, "H1", invoice_id=invoice_id, number=f"N{invoice_id}",
                  company_code="91500000MA5U0000A1", hospital_code="H1", amount_fen=total,
                  submitted_on=date(2025, 8, 2), due_on=due_on, lines=lines),
            event("settlement.invoice.accepted", 1, "H1", invoice_id=invoice_id, number=f"N{invoice_id}",
                  company_code="91500000MA5U0000A1", hospital_code="H1", amount_fen=total,
                  accepted_on=date(2025, 8, 3), due_on=due_on)]


def disbursed(disbursement_id: int, amount_fen: int, on: date) -> object:
    return event("settlement.prepayment.disbursed", 1, "H1", plan_id=1, disbursement_id=disbursement_id,
                 ledger_transaction_id=disbursement_id, batch_code="CQ", hospital_code="H1", fund="employee",
                 tranche=1, amount_fen=amount_fen, disbursed_on=on, plan_disbursed_fen=amount_fen)


class TestPrepaymentUse:
    async def test_mon10_the_prepayment_held_while_the_batchs_invoices_are_overdue(self, sessions):
        """10,000.00 prepaid for batch CQ on 2025-07-10, 1,000.00 of it reversed. Invoice 1
        bills 6,000.00 of CQ, due 2025-09-30, 2,000.00 paid on 09-20; invoice 2 bills 1,000.00
        of CQ and 2,000.00 of another batch, due 2025-10-31, 1,500.00 paid (CQ's share: 500.00).
        On 2025-10-15: paid to CQ's suppliers 2,500.00, held 9,000.00 − 2,500.00 = 6,500.00,
        unpaid past due 4,000.00 (invoice 1) → shortfall 4,000.00. On 09-25 nothing was past
        due: no shortfall."""
        await deliver(sessions, disbursed(1, 1_000_000, date(2025, 7, 10)),
                      event("settlement.prepayment.disbursement_reversed", 1, "H1", plan_id=1, disbursement_id=2,
                            reverses_disbursement_id=1, ledger_transaction_id=2, batch_code="CQ", hospital_code="H1",
                            fund="employee", tranche=1, amount_fen=100_000, reversed_on=date(2025, 7, 11),
                            reason="录入错误", plan_disbursed_fen=900_000),
                      *submitted(1, date(2025, 9, 30), {"CQ": 600_000}),
                      *submitted(2, date(2025, 10, 31), {"CQ": 100_000, "OTHER": 200_000}),
                      payment(1, 1, "H1", 200_000, date(2025, 9, 20)), payment(2, 2, "H1", 150_000, date(2025, 9, 21)))
        async with sessions() as session:
            [early] = await service.visible_use(session, principal=ADMIN, as_of=date(2025, 9, 25), batch_code="CQ",
                                                hospital_code=None)
            [later] = await service.visible_use(session, principal=ADMIN, as_of=date(2025, 10, 15), batch_code=None,
                                                hospital_code="H1")
        assert (early["disbursed_fen"], early["paid_to_suppliers_fen"], early["shortfall_fen"]) == (
            900_000, 250_000, 0)
        assert (later["unpaid_past_due_fen"], later["shortfall_fen"], later["explain"]["held"]) == (
            400_000, 400_000, "6500.00")
        async with sessions() as session, session.begin():
            raised = await alerts.run_alert_checks(session, today=date(2025, 10, 15))
        async with sessions() as session:
            [alert], _ = await alerts.listing(session, principal=ADMIN, filters={"kind": "prepayment_use"},
                                              region_code=None, after_id=None, limit=5)
        assert alert.id in raised and (alert.period, alert.details["shortfall"]) == ("2025-10", "4000.00")
