"""A hospital's monthly statement (医保基金月度结算单, SET-4/SET-5): for each fund, the month's
live payable, the direct settlements and prepayment offsets taken from it and the net the
fund paid, the corrections behind it, the refunds demanded that month, and the hospital's
prepayment outstanding and refund due now — every figure from the payables and the ledger."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.web.identity import Principal, Role
from vbpkit.domain.money import format_yuan
from vbpkit.domain.policy.dates import month_end
from vbpkit.projections.registry import repository as registry
from vbpkit.web.parties import OVERSEERS, not_found

from vbp_settlement.fund_payables import repository as payables
from vbp_settlement.fund_payables.schemas import first_of
from vbp_settlement.fund_payables.service import with_parts
from vbp_settlement.ledger import accounts
from vbp_settlement.ledger import repository as ledger
from vbp_settlement.refunds import repository as refunds
from vbp_settlement.statements.schemas import (Statement, StatementDirectSettlement, StatementFund,
                                               StatementOffset, StatementTotals)


async def statement(session: AsyncSession, *, hospital_code: str, month: str, principal: Principal) -> Statement:
    if not (principal.role in OVERSEERS or (principal.role is Role.HOSPITAL and principal.tenant == hospital_code)):
        raise not_found(f"statement of hospital {hospital_code}")
    first = first_of(month)
    versions = await payables.versions_of_month(session, hospital_code=hospital_code, month=first)
    live = [v for v in versions if v.status == "live"]
    funds = []
    for payable, offsets, deductions in await with_parts(session, live):
        invoices = {p.id: p.invoice_id for p in await payables.payments(session, [d.payment_id for d, _ in deductions])}
        funds.append(StatementFund(
            fund=payable.fund, payable_id=payable.id, version=payable.version, payable=payable.amount_fen,
            direct_settlements=sum(a for _, a in deductions), offsets=sum(a for _, a in offsets), net=payable.net_fen,
            paid_on=payable.paid_on,
            offset_lines=[StatementOffset(plan_id=o.plan_id, batch_code=o.batch_code, amount=a)
                          for o, a in offsets],
            direct_settlement_lines=[StatementDirectSettlement(payment_id=d.payment_id,
                                                               invoice_id=invoices.get(d.payment_id), amount=a)
                                     for d, a in deductions],
            superseded_versions=[v.id for v in versions if v.fund == payable.fund and v.status == "superseded"]))
    demands = [d for d in await refunds.demands(session, hospital_code=hospital_code, after_id=None, limit=1000)
               if first <= d.demanded_on <= month_end(first.year, first.month)]
    amounts = await refunds.amounts(session, [d.id for d in demands])
    balances = await ledger.balances(session, [accounts.hospital_prepayment(hospital_code),
                                               accounts.hospital_refund_due(hospital_code)])
    registered = await registry.institution(session, hospital_code)
    return Statement(
        hospital_code=hospital_code, hospital_name=registered.name if registered else None, month=month, funds=funds,
        totals=StatementTotals(payable=sum(f.payable for f in funds),
                               direct_settlements=sum(f.direct_settlements for f in funds),
                               offsets=sum(f.offsets for f in funds), net=sum(f.net for f in funds)),
        refunds_demanded=[{"refund_id": d.id, "plan_id": d.plan_id, "demanded_on": d.demanded_on.isoformat(),
                           "amount": format_yuan(amounts[d.id][0]),
                           "received": format_yuan(amounts[d.id][1])}
                          for d in demands],
        prepayment_outstanding=balances[accounts.hospital_prepayment(hospital_code)],
        refund_due=balances[accounts.hospital_refund_due(hospital_code)],
        explain={"rule": "SET-4", "net": "payable − direct settlements (SET-5, first) − prepayment offsets",
                 "source": "the month's live fund payables; amounts from their ledger postings (SET-6)"})
