"""CON-3 renewal rules against a real contracts database (its own migrations applied)."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from vbpkit.db.engine import create_sessionmaker
from pydantic import TypeAdapter
from vbpkit.db.migrations import upgrade_to_head
from vbpkit.domain.policy import PRESETS, ExecutionPolicy
from vbpkit.domain.policy.rules import RenewalRule

from vbp_contracts.agreements.models import Agreement
from vbp_contracts.agreements.renewal import violations
from vbp_contracts.deliveries.models import Delivery, DeliveryLine
from vbp_contracts.main import MIGRATIONS
from vbp_contracts.orders.models import Order, OrderLine
from vbp_contracts.volumes.models import AgreedVolume

BATCH = "B-RENEW"
MANUFACTURER_OF = {1: "M1", 2: "M2"}


def _policy(kind: str, **ratios) -> ExecutionPolicy:
    """A batch's typed execution policy as the catalog view holds it; only the renewal part matters."""
    renewal = TypeAdapter(RenewalRule).validate_python({"kind": kind, **ratios})
    return PRESETS["chongqing-2025"].model_copy(update={"renewal": renewal})


PREVIOUS = _policy("per_item_of_previous_agreed", min_ratio="1.0")  # seed 000
FIRST_YEAR = _policy("per_item_of_first_year", min_ratio="1.0")  # seed 001
STENT = _policy("stent", hospital_total_min_ratio_of_previous_actual="0.95",
                company_min_ratio_of_previous_agreed="0.90")  # seed 003


@pytest.fixture
async def session(new_database):
    url = await new_database("contracts")
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    engine = create_async_engine(url)
    async with create_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


async def _volumes(session, year: int, quantities: dict[tuple[str, int], int]) -> None:
    session.add_all(AgreedVolume(batch_code=BATCH, agreement_year=year, hospital_code=hospital,
                                 product_id=product, quantity=quantity, set_by="exchange:test")
                    for (hospital, product), quantity in quantities.items())
    await session.flush()


async def _accepted(session, *, hospital: str, year: int, accepted: int, returned: int = 0) -> None:
    """What the hospital actually accepted (less returns) under its year's agreement."""
    agreement = Agreement(batch_code=BATCH, agreement_year=year, hospital_code=hospital, manufacturer_code="M1",
                          distributor_code="D1", with_service=True, version=1, status="effective")
    order = Order(hospital_code=hospital, his_order_no=f"HIS-{hospital}-{year}", request_sha256="0" * 64,
                  placed_by="hospital:test")
    session.add_all([agreement, order])
    await session.flush()
    session.add(OrderLine(order_id=order.id, line_no=1, product_id=1, batch_code=BATCH, agreement_id=agreement.id,
                          manufacturer_code="M1", distributor_code="D1", quantity=accepted, unit_price_fen=100,
                          beyond_agreed=False, status="confirmed", delivered_quantity=accepted))
    delivery = Delivery(order_id=order.id, hospital_code=hospital, distributor_code="D1",
                        delivered_on=date(2026, 6, 2), accepted_on=date(2026, 6, 3), recorded_by="company:test")
    session.add(delivery)
    await session.flush()
    session.add(DeliveryLine(delivery_id=delivery.id, line_no=1, quantity=accepted, lot="L1",
                             accepted_quantity=accepted, returned_quantity=returned))
    await session.flush()


async def _check(session, year: int, policy: dict) -> list[dict]:
    return await violations(session, batch_code=BATCH, year=year, policy=policy, manufacturer_of=MANUFACTURER_OF)


class TestPerItemOfPreviousAgreed:
    """CON-3 (seed 000): every item of year N+1 ≥ ratio × its year-N agreed quantity."""

    async def test_exactly_at_the_previous_quantity_passes(self, session):
        await _volumes(session, 1, {("H1", 1): 100})
        await _volumes(session, 2, {("H1", 1): 100})
        assert await _check(session, 2, PREVIOUS) == []

    async def test_one_below_the_previous_quantity_fails_naming_the_item(self, session):
        await _volumes(session, 1, {("H1", 1): 100})
        await _volumes(session, 2, {("H1", 1): 99})
        [failure] = await _check(session, 2, PREVIOUS)
        assert (failure["hospital_code"], failure["product_id"], failure["agreed"]) == ("H1", 1, 99)
        assert failure["required_minimum"] == "100"
        assert failure["field"] == "agreed_volumes[H1][1]"

    async def test_an_item_left_out_of_the_new_year_counts_as_zero(self, session):
        await _volumes(session, 1, {("H1", 1): 100, ("H1", 2): 10})
        await _volumes(session, 2, {("H1", 1): 100})
        [failure] = await _check(session, 2, PREVIOUS)
        assert (failure["product_id"], failure["agreed"]) == (2, 0)

    async def test_year_three_is_measured_against_year_two_not_year_one(self, session):
        await _volumes(session, 1, {("H1", 1): 100})
        await _volumes(session, 2, {("H1", 1): 120})
        await _volumes(session, 3, {("H1", 1): 110})
        [failure] = await _check(session, 3, PREVIOUS)
        assert failure["required_minimum"] == "120"

    async def test_the_first_year_has_nothing_to_renew(self, session):
        await _volumes(session, 1, {("H1", 1): 0})
        assert await _check(session, 1, PREVIOUS) == []


class TestPerItemOfFirstYear:
    """CON-3 (seed 001): every item of a later year ≥ ratio × its first-year agreed quantity."""

    async def test_year_three_at_the_first_year_quantity_passes_though_below_year_two(self, session):
        await _volumes(session, 1, {("H1", 1): 100})
        await _volumes(session, 2, {("H1", 1): 120})
        await _volumes(session, 3, {("H1", 1): 100})
        assert await _check(session, 3, FIRST_YEAR) == []

    async def test_one_below_the_first_year_quantity_fails(self, session):
        await _volumes(session, 1, {("H1", 1): 100})
        await _volumes(session, 2, {("H1", 1): 120})
        await _volumes(session, 3, {("H1", 1): 99})
        [failure] = await _check(session, 3, FIRST_YEAR)
        assert (failure["agreed"], failure["required_minimum"]) == (99, "100")
        assert "year 1 agreed 100" in failure["reason"]


class TestMinimumsAreWholeUnitsRoundedUp:
    """CON-3: ratio × base is rounded up to whole units — 90 % of 85 is 76.5, so 77 is the
    least that keeps the ratio and 76 falls short."""

    async def test_the_rounded_up_minimum_passes(self, session):
        await _volumes(session, 1, {("H1", 1): 85})
        await _volumes(session, 2, {("H1", 1): 77})
        assert await _check(session, 2, _policy("per_item_of_previous_agreed", min_ratio="0.9")) == []

    async def test_one_below_the_rounded_up_minimum_fails(self, session):
        await _volumes(session, 1, {("H1", 1): 85})
        await _volumes(session, 2, {("H1", 1): 76})
        [failure] = await _check(session, 2, _policy("per_item_of_previous_agreed", min_ratio="0.9"))
        assert failure["required_minimum"] == "77"
        assert "0.9 × 85 = 76.5 → 77 whole units" in failure["reason"]


class TestStentRule:
    """CON-3 (seed 003): the hospital's total ≥ 95 % of what it actually accepted the year
    before (returns taken off), and per company ≥ 90 % of that company's previous agreed."""

    async def test_exactly_at_both_minimums_passes(self, session):
        await _volumes(session, 1, {("H1", 1): 100})
        await _accepted(session, hospital="H1", year=1, accepted=100)
        await _volumes(session, 2, {("H1", 1): 95})  # total ≥ 95 of 100 accepted; company ≥ 90 of 100
        assert await _check(session, 2, STENT) == []

    async def test_one_below_the_hospital_total_fails(self, session):
        await _volumes(session, 1, {("H1", 1): 100})
        await _accepted(session, hospital="H1", year=1, accepted=100)
        await _volumes(session, 2, {("H1", 1): 94})
        [failure] = await _check(session, 2, STENT)
        assert (failure["field"], failure["agreed"], failure["required_minimum"]) == ("agreed_volumes[H1]", 94, "95")

    async def test_the_total_counts_what_was_accepted_less_returns(self, session):
        await _volumes(session, 1, {("H1", 1): 80})
        await _accepted(session, hospital="H1", year=1, accepted=100, returned=15)  # 85 kept → 80.75 → 81
        await _volumes(session, 2, {("H1", 1): 80})
        [failure] = await _check(session, 2, STENT)
        assert (failure["field"], failure["required_minimum"]) == ("agreed_volumes[H1]", "81")

    async def test_one_below_a_company_minimum_fails_naming_the_company(self, session):
        await _volumes(session, 1, {("H1", 1): 85, ("H1", 2): 15})
        await _accepted(session, hospital="H1", year=1, accepted=50)  # total minimum 48: met by either
        await _volumes(session, 2, {("H1", 1): 76, ("H1", 2): 15})
        [failure] = await _check(session, 2, STENT)
        assert (failure["company_code"], failure["agreed"], failure["required_minimum"]) == ("M1", 76, "77")

    async def test_at_the_rounded_up_company_minimum_passes(self, session):
        await _volumes(session, 1, {("H1", 1): 85, ("H1", 2): 15})
        await _accepted(session, hospital="H1", year=1, accepted=50)
        await _volumes(session, 2, {("H1", 1): 77, ("H1", 2): 15})
        assert await _check(session, 2, STENT) == []


class TestRetender:
    """CON-3 (seed 004): a batch that re-tenders has no renewal minimum."""

    async def test_a_lower_volume_passes(self, session):
        await _volumes(session, 1, {("H1", 1): 100})
        await _volumes(session, 2, {("H1", 1): 1})
        assert await _check(session, 2, _policy("retender")) == []
