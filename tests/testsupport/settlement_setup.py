"""An accepted purchase as settlement sees it, built through the gateway — the state every
SET-1/SET-2 flow starts from — and small readers of the shared settlement database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from vbptools.embedded import server_url_to_async

from testsupport.contracts_setup import Market, build_market, effective_agreements, purchase
from testsupport import shared_database

SETTLEMENT_DB = shared_database("settlement")


@dataclass
class Purchase:
    """One hospital's accepted delivery of one product, from its distributor (the biller)."""

    market: Market
    hospital: str
    distributor: str
    manufacturer: str
    delivery_id: int
    line_no: int
    quantity: int
    unit_price: str
    accepted_on: str

    @property
    def his(self):
        return self.market.client(self.hospital)

    @property
    def biller(self):
        return self.market.client(self.distributor)


async def accepted_purchase(platform, *, preset: str = "chongqing-2025", quantity: int = 10,
                            region_code: str = "500103") -> Purchase:
    """Batch → agreement → order → delivery → acceptance, then wait until settlement has the
    accepted line (it learns it only from ``contracts.delivery.accepted``)."""
    market = await build_market(platform, preset=preset, region_code=region_code)
    await effective_agreements(platform, market)
    hospital, product = market.hospitals[0], market.product_ids[0]
    bought = await purchase(market, hospital, [(product, quantity)])
    delivery = bought["deliveries"][0]
    deal = Purchase(market=market, hospital=hospital, distributor=delivery["distributor_code"],
                    manufacturer=market.manufacturers[0], delivery_id=delivery["id"], line_no=1, quantity=quantity,
                    unit_price=market.prices[product], accepted_on=delivery["accepted_on"])
    await billable(platform, deal, accepted=quantity)
    return deal


async def billable(platform, deal: Purchase, *, accepted: int | None = None, returned: int | None = None) -> dict:
    """Settlement's view of the purchased line, once it shows what is expected."""

    async def check():
        response = await deal.biller.get(f"/settlement/deliveries/{deal.delivery_id}/lines")
        assert response.status_code == 200, response.text
        line = response.json()[0]
        if accepted is not None:
            assert line["accepted_quantity"] == accepted, line
        if returned is not None:
            assert line["returned_quantity"] == returned, line
        return line

    return await platform.eventually(check)


def yuan(unit_price: str, quantity: int) -> str:
    fen = round(float(unit_price) * 100) * quantity
    return f"{fen // 100}.{fen % 100:02d}"


def invoice_body(deal: Purchase, quantity: int, *, number: str | None = None, amount: str | None = None) -> dict:
    return {"number": number or f"INV-{uuid.uuid4().hex[:10]}", "amount": amount or yuan(deal.unit_price, quantity),
            "lines": [{"delivery_id": deal.delivery_id, "line_no": deal.line_no, "quantity": quantity}]}


async def submitted(deal: Purchase, quantity: int, **fields) -> dict:
    response = await deal.biller.post("/settlement/invoices", json=invoice_body(deal, quantity, **fields))
    assert response.status_code == 201, response.text
    return response.json()


async def accepted_invoice(deal: Purchase, quantity: int) -> dict:
    invoice = await submitted(deal, quantity)
    response = await deal.his.post(f"/settlement/invoices/{invoice['id']}/acceptance", json={"decision": "accept"})
    assert response.status_code == 200, response.text
    return response.json()


def settlement_engine(pg_server: str):
    return create_async_engine(server_url_to_async(pg_server, SETTLEMENT_DB))


async def settlement_events(pg_server: str, event_type: str, key: str) -> list[dict]:
    """The data of the settlement outbox events of one type and key, in order."""
    engine = settlement_engine(pg_server)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT envelope FROM outbox WHERE type = :t AND key = :k ORDER BY id"),
                {"t": event_type, "k": key})
            return [r[0]["data"] for r in rows]
    finally:
        await engine.dispose()


async def ledger_account(client, address: str) -> dict:
    """A ledger account as ``client`` reads it (SET-6): balance and latest movements."""
    response = await client.get(f"/settlement/ledger/accounts/{address}")
    assert response.status_code == 200, response.text
    return response.json()


async def ledger_balance(client, address: str) -> str:
    """The balance of an account, "0.00" if no movement ever opened it."""
    response = await client.get(f"/settlement/ledger/accounts/{address}")
    if response.status_code == 404:
        return "0.00"
    assert response.status_code == 200, response.text
    return response.json()["balance"]


async def known_to_settlement(platform, hospital: str) -> dict:
    """Settlement's view of the hospital (level, fund), once the registry event reached it."""

    async def check():
        response = await platform.admin.get(f"/settlement/institutions/{hospital}")
        assert response.status_code == 200, response.text
        return response.json()

    return await platform.eventually(check)


async def disburse_all(market, plan: dict, disbursed_on: str) -> None:
    """The insurer disburses every tranche of ``plan`` in full (SET-3)."""
    for tranche in plan["tranches"]:
        paid = await market.insurer.post(f"/settlement/prepayments/{plan['id']}/disbursements", json={
            "tranche": tranche["number"], "amount": tranche["amount"], "disbursed_on": disbursed_on})
        assert paid.status_code == 201, paid.text
