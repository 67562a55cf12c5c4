"""The one place a payment is booked: its row, the ledger movement that pays the company and
its event — whether the hospital paid (SET-2) or the fund paid on the hospital's behalf
where it settles directly (SET-5), so the two can never book differently.

The movements are the money contract's (issue 8): a hospital's payment moves
``company:<C>:receivable`` → ``company:<C>:received``; the fund's does the same and also moves
``fund:<F>`` → ``hospital:<H>:direct_settled`` — what the fund paid out for the hospital,
to be deducted from its next monthly payable (SET-4). Both in one transaction, caused by the
request that made it (SET-6).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.messaging import outbox
from vbpkit.events.settlement import PaymentRecordedV2

from vbp_settlement.invoices.models import Invoice
from vbp_settlement.ledger import accounts
from vbp_settlement.ledger import service as ledger
from vbp_settlement.payments import repository
from vbp_settlement.payments.models import Payment


async def book(session: AsyncSession, *, invoice: Invoice, amount_fen: int, paid_on: date, reference: str | None,
               fund: str | None, unpaid_before_fen: int, recorded_by: str) -> Payment:
    """A payment of ``amount_fen`` (≤ ``unpaid_before_fen``, checked by the caller with the
    invoice locked): by the hospital when ``fund`` is None, else by that fund (SET-5)."""
    receivable = accounts.company_receivable(invoice.company_code)
    postings = [ledger.Posting(receivable, accounts.company_received(invoice.company_code), amount_fen)]
    if fund is None:
        description = (f"SET-2 hospital {invoice.hospital_code} paid invoice {invoice.number} (id {invoice.id}) "
                       f"on {paid_on}")
    else:
        postings.append(ledger.Posting(accounts.fund(fund), accounts.hospital_direct_settled(invoice.hospital_code),
                                       amount_fen))
        description = (f"SET-5 the {fund} fund paid invoice {invoice.number} (id {invoice.id}) on {paid_on} "
                       f"on behalf of hospital {invoice.hospital_code}")
    recorded = await ledger.move(session, cause_kind="request", cause_ref=ledger.request_cause(),
                                 description=description, recorded_by=recorded_by, postings=postings)
    payment = Payment(invoice_id=invoice.id, hospital_code=invoice.hospital_code, amount_fen=amount_fen,
                      paid_on=paid_on, reference=reference, source="hospital" if fund is None else "fund", fund=fund,
                      transaction_id=recorded.transaction_id, recorded_by=recorded_by)
    await repository.add(session, payment)
    outbox.add(session, PaymentRecordedV2(
        payment_id=payment.id, invoice_id=invoice.id, number=invoice.number, company_code=invoice.company_code,
        hospital_code=invoice.hospital_code, amount_fen=amount_fen, paid_on=paid_on,
        unpaid_fen=unpaid_before_fen - amount_fen, source=payment.source, fund=fund,
        ledger_transaction_id=recorded.transaction_id), key=invoice.hospital_code)
    return payment
