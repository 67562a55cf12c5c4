"""SET-6 with SET-1/SET-2/SET-5: the accounts invoices and payments move, and migration 0006,
which posts the invoices accepted and payments recorded before it to the ledger."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from vbp_settlement.ledger import accounts, repository
from vbp_settlement.ledger.models import LedgerAccount
from vbp_settlement.main import MIGRATIONS
from vbpkit.db.engine import create_sessionmaker
from vbpkit.db.migrations import alembic_config, upgrade_to_head

HOSPITAL, COMPANY = "H500101001", "91500000MA5U000001"


class TestWhoMayGoNegative:
    """The money contract (issue 8): only the funds and a hospital's purchases are unbounded."""

    def test_purchases_and_funds_are_unbounded_and_nothing_else(self):
        unbounded = {accounts.fund("employee"), accounts.fund("resident"), accounts.hospital_purchases(HOSPITAL)}
        bounded = {accounts.hospital_prepayment(HOSPITAL), accounts.hospital_payable(HOSPITAL),
                   accounts.hospital_settled(HOSPITAL), accounts.hospital_direct_settled(HOSPITAL),
                   accounts.hospital_refund_due(HOSPITAL), accounts.company_receivable(COMPANY),
                   accounts.company_received(COMPANY), "company:X:purchases", "hospital:H:purchases:extra"}
        assert {a for a in unbounded | bounded if accounts.overdraft_allowed(a)} == unbounded

    def test_each_address_is_the_contracts(self):
        assert [accounts.hospital_purchases("H1"), accounts.hospital_direct_settled("H1"),
                accounts.hospital_settled("H1"), accounts.hospital_refund_due("H1"),
                accounts.company_receivable("C1"), accounts.company_received("C1")] == [
            "hospital:H1:purchases", "hospital:H1:direct_settled", "hospital:H1:settled", "hospital:H1:refund_due",
            "company:C1:receivable", "company:C1:received"]


@pytest.fixture
async def at_0005(new_database):
    url = await new_database("settlement_0006")
    await asyncio.to_thread(command.upgrade, alembic_config(MIGRATIONS, url), "0005")
    engine = create_async_engine(url)
    yield url, engine
    await engine.dispose()


def _invoice(invoice_id: int, status: str, amount_fen: int) -> str:
    return (f"INSERT INTO invoices (id, number, company_code, hospital_code, amount_fen, status, submitted_on, "
            f"submitted_by, due_on, due_explain, decided_on, decided_by) VALUES ({invoice_id}, 'N{invoice_id}', "
            f"'{COMPANY}', '{HOSPITAL}', {amount_fen}, '{status}', '2026-03-01', 'company:k', '2026-04-30', '{{}}', "
            f"'2026-03-02', 'hospital:k')")


class TestMigration0006PostsWhatCameBefore:
    """SET-6: invoices accepted and payments recorded before 0006 are posted by it, so the
    company's receivable holds the accepted unpaid and paying such an invoice cannot overdraw."""

    async def test_accepted_invoices_and_their_payments_are_posted_once(self, at_0005):
        url, engine = at_0005
        async with engine.begin() as connection:
            for statement in (_invoice(1, "accepted", 146000), _invoice(2, "accepted", 73000),
                              _invoice(3, "reversed", 50000), _invoice(4, "submitted", 10000)):
                await connection.execute(text(statement))
            await connection.execute(text(
                "INSERT INTO payments (invoice_id, hospital_code, amount_fen, paid_on, recorded_by) VALUES "
                f"(1, '{HOSPITAL}', 100000, '2026-03-05', 'hospital:k'), (2, '{HOSPITAL}', 73000, '2026-03-06', "
                "'hospital:k')"))
        await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
        sessions = create_sessionmaker(engine)
        receivable, received = accounts.company_receivable(COMPANY), accounts.company_received(COMPANY)
        purchases = accounts.hospital_purchases(HOSPITAL)
        async with sessions() as session:
            # accepted 1,460.00 + 730.00; paid 1,000.00 + 730.00 → 460.00 still owed
            assert await repository.balances(session, [receivable, received, purchases]) == {
                receivable: 46000, received: 173000, purchases: -219000}
            assert (await session.get(LedgerAccount, purchases)).overdraft_allowed is True
            linked = (await session.execute(text(
                "SELECT p.source, t.cause_kind, t.cause_ref FROM payments p "
                "JOIN ledger_transactions t ON t.id = p.transaction_id ORDER BY p.id"))).all()
            assert [tuple(r) for r in linked] == [("hospital", "check", "migration 0006 payment 1"),
                                                  ("hospital", "check", "migration 0006 payment 2")]
            assert await repository.negative_bounded_accounts(session) == {}
        # down and up again: the ledger keeps what was posted and nothing is posted twice
        await asyncio.to_thread(command.downgrade, alembic_config(MIGRATIONS, url), "0005")
        await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
        async with sessions() as session:
            assert await repository.balances(session, [receivable, received]) == {receivable: 46000, received: 173000}
            assert (await session.scalar(text("SELECT count(*) FROM payments WHERE transaction_id IS NULL"))) == 0
