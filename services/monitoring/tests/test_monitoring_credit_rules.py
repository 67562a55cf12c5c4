"""MON-6 company performance and credit on a real database, from contracts' supply events
applied as the consumer would: fill rate within the delivery window, lead time, declines,
detected and recorded breaches, force majeure, and the rating with its event."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from monitoring_setup import A, ADMIN, TABLE, event
from sqlalchemy import select
from vbp_monitoring.credit import service as credit
from vbp_monitoring.supply import service as supply
from vbpkit.web.identity import Principal, Role
from vbpkit.messaging.handlers import apply
from vbpkit.web.problems import Problem
from vbpkit.projections.registry.models import CompanyView
from vbpkit.db.tables import OutboxRow

D = "91500000MA5U0000D4"
INSURER = Principal(role=Role.INSURER, key_id="insurer", tenant="500000")


def line(order_id: int, line_no: int, quantity: int, ordered_on: date, hospital: str = "H1") -> dict:
    return dict(order_id=order_id, line_no=line_no, hospital_code=hospital, product_id=11, batch_code="CQ",
                agreement_id=1, manufacturer_code=A, distributor_code=D, quantity=quantity, ordered_on=ordered_on)


def confirmed(order_id: int, line_no: int, quantity: int, ordered_on: date):
    return event("contracts.order_line.confirmed", 1, "H1", line=line(order_id, line_no, quantity, ordered_on),
                 confirmed_on=ordered_on)


def declined(order_id: int, line_no: int, quantity: int, ordered_on: date):
    return event("contracts.order_line.declined", 1, "H1", line=line(order_id, line_no, quantity, ordered_on),
                 declined_on=ordered_on, reason="缺货")


def delivered(delivery_id: int, order_id: int, ordered_on: date, on: date, lines: list[tuple[int, int]]):
    return event("contracts.delivery.recorded", 1, "H1", delivery_id=delivery_id, order_id=order_id,
                 hospital_code="H1", distributor_code=D, ordered_on=ordered_on, delivered_on=on, lines=[
                     dict(line_no=n, product_id=11, batch_code="CQ", agreement_id=1, manufacturer_code=A, quantity=q,
                          lot="L1", udi=None, ordered_quantity=q) for n, q in lines])


async def deliver(sessions, *envelopes) -> None:
    async with sessions() as session, session.begin():
        for e in envelopes:
            await apply(session, TABLE[e.type], e)


async def rating_events(sessions) -> list[dict]:
    async with sessions() as session:
        rows = await session.scalars(select(OutboxRow).where(OutboxRow.type == "monitoring.rating.changed")
                                     .order_by(OutboxRow.id))
        return [r.envelope["data"] for r in rows]


async def check(sessions, today: date) -> None:
    async with sessions() as session, session.begin():
        await credit.detect(session, today=today)
        await credit.rate(session, today=today)


MARCH = date(2025, 3, 1)


@pytest.fixture
async def supplied(sessions):
    """Five lines ordered by H1 of company A: 1 delivered the next day (in time, lead 1 day);
    2 delivered on day 4 (late, lead 4); 3 half on day 1 and the rest on day 3 (late: the
    window of 48 h closes at the end of 3 March; lead 3); 4 declined; 5 ordered on 9 March and
    not delivered yet (its window is open on 10 March)."""
    async with sessions() as session, session.begin():
        session.add(CompanyView(credit_code=A, name="A", roles=["manufacturer"], as_of=datetime.now(timezone.utc)))
    await deliver(sessions, confirmed(1, 1, 10, MARCH), confirmed(1, 2, 10, MARCH), confirmed(1, 3, 10, MARCH),
                  declined(1, 4, 10, MARCH), confirmed(2, 1, 10, date(2025, 3, 9)),
                  delivered(1, 1, MARCH, date(2025, 3, 2), [(1, 10), (3, 5)]),
                  delivered(2, 1, MARCH, date(2025, 3, 4), [(3, 5)]),
                  delivered(3, 1, MARCH, date(2025, 3, 5), [(2, 10)]))
    return sessions


class TestPerformance:
    async def test_mon6_fill_rate_counts_lines_in_full_within_the_window_and_lead_time_percentiles(self, supplied):
        """Fill rate = 1 in time ÷ 3 confirmed lines whose window has closed = 0.3333 (line 5's
        window is still open); lead times 1, 3, 4 days: p50 = 3, p90 = 4 (nearest rank); one
        decline."""
        async with supplied() as session:
            [row] = await supply.performance(session, principal=ADMIN, first=MARCH, last=date(2025, 3, 31),
                                             as_of=date(2025, 3, 10), company_code=None, batch_code=None,
                                             hospital_code=None)
        assert (row["lines_confirmed"], row["lines_due"], row["delivered_in_time"]) == (4, 3, 1)
        assert row["fill_rate"] == "0.3333"
        assert (row["lead_time_days_p50"], row["lead_time_days_p90"]) == (3, 4)
        assert row["lines_declined"] == 1
        assert row["explain"]["delivery_window_hours"] == [48]

    async def test_mon6_the_window_closes_at_the_end_of_the_second_day(self, sessions):
        """48 hours from an order of 1 March: delivered on 3 March is in time."""
        await deliver(sessions, confirmed(7, 1, 5, MARCH), delivered(7, 7, MARCH, date(2025, 3, 3), [(1, 5)]))
        async with sessions() as session:
            [row] = await supply.performance(session, principal=ADMIN, first=MARCH, last=MARCH,
                                             as_of=date(2025, 4, 1), company_code=None, batch_code=None,
                                             hospital_code=None)
        assert row["fill_rate"] == "1.0000"
        await check(sessions, date(2025, 4, 1))
        assert await rating_events(sessions) == []

    async def test_mon6_a_company_sees_its_own_performance_only(self, supplied):
        other = Principal(role=Role.COMPANY, key_id="b", tenant="91500000MA5U0000B2")
        async with supplied() as session:
            assert await supply.performance(session, principal=other, first=MARCH, last=date(2025, 3, 31),
                                            as_of=date(2025, 3, 10), company_code=A, batch_code=None,
                                            hospital_code=None) == []
            mine = Principal(role=Role.COMPANY, key_id="a", tenant=A)
            assert len(await supply.performance(session, principal=mine, first=MARCH, last=date(2025, 3, 31),
                                                as_of=date(2025, 3, 10), company_code=None, batch_code=None,
                                                hospital_code=None)) == 1


class TestCredit:
    async def test_mon6_late_and_failed_supply_are_breaches_and_the_rating_is_the_worst(self, supplied):
        """The check of 10 March finds lines 2 and 3 late (一般, on 4 March, the first day after
        the window) and line 4 failed (中等): the rating becomes 中等, announced once."""
        await check(supplied, date(2025, 3, 10))
        await check(supplied, date(2025, 3, 10))
        async with supplied() as session:
            found = await credit.rating(session, company_code=A, as_of=date(2025, 3, 10), principal=ADMIN)
        kinds = sorted((b.kind, b.line_no, b.severity, b.occurred_on) for b in found["breaches"])
        assert kinds == [("failed_supply", 4, "中等", MARCH), ("late_supply", 2, "一般", date(2025, 3, 4)),
                         ("late_supply", 3, "一般", date(2025, 3, 4))]
        assert found["rating"] == "中等"
        [changed] = await rating_events(supplied)
        assert (changed["previous_rating"], changed["rating"], changed["batch_codes"]) == (None, "中等", ["CQ"])

    async def test_mon6_force_majeure_exempts_a_breach_and_the_rating_follows(self, supplied):
        await check(supplied, date(2025, 3, 10))
        async with supplied() as session, session.begin():
            failed = next(b for b in (await credit.rating(session, company_code=A, as_of=date(2025, 3, 10),
                                                          principal=ADMIN))["breaches"] if b.kind == "failed_supply")
            await credit.exempt(session, breach_id=failed.id, reason="洪灾 (flood)", principal=INSURER,
                                today=date(2025, 3, 11))
        async with supplied() as session:
            assert (await credit.rating(session, company_code=A, as_of=date(2025, 3, 11),
                                        principal=ADMIN))["rating"] == "一般"
        assert [(e["previous_rating"], e["rating"]) for e in await rating_events(supplied)] == [
            (None, "中等"), ("中等", "一般")]
        async with supplied() as session, session.begin():
            with pytest.raises(Problem) as twice:
                await credit.exempt(session, breach_id=failed.id, reason="again", principal=INSURER,
                                    today=date(2025, 3, 11))
        assert twice.value.status == 409

    async def test_mon6_a_recorded_breach_counts_for_12_months_then_ages_out(self, supplied):
        """Bribery (商业贿赂) recorded as 特别严重 on 2025-03-15 rates A 特别严重 at once; on
        2026-03-15 the 12 months are over and, the supply breaches of March 2025 aged out
        too, the check announces no rating."""
        async with supplied() as session, session.begin():
            await credit.record(session, row=dict(company_code=A, batch_code="CQ", kind="illegal_conduct",
                                                  severity="特别严重", occurred_on=date(2025, 3, 15),
                                                  description="因商业贿赂受到处罚"), principal=INSURER,
                                today=date(2025, 3, 20))
        async with supplied() as session:
            assert (await credit.rating(session, company_code=A, as_of=date(2025, 3, 20),
                                        principal=ADMIN))["rating"] == "特别严重"
            assert (await credit.rating(session, company_code=A, as_of=date(2026, 3, 14),
                                        principal=ADMIN))["rating"] == "特别严重"
        await check(supplied, date(2026, 3, 15))
        events = await rating_events(supplied)
        assert [(e["previous_rating"], e["rating"]) for e in events] == [(None, "特别严重"), ("特别严重", None)]
        assert events[-1]["reason"] == "no breach counted in the last 12 months"

    async def test_mon6_a_breach_is_recorded_for_a_known_company_and_not_in_the_future(self, supplied):
        row = dict(company_code="91500000MA5U0000Z9", batch_code="", kind="quality", severity="严重",
                   occurred_on=date(2025, 3, 1), description="质量事故")
        async with supplied() as session, session.begin():
            with pytest.raises(Problem) as unknown:
                await credit.record(session, row=row, principal=INSURER, today=date(2025, 3, 20))
            with pytest.raises(Problem) as future:
                await credit.record(session, row={**row, "company_code": A, "occurred_on": date(2025, 4, 1)},
                                    principal=INSURER, today=date(2025, 3, 20))
        assert (unknown.value.errors[0]["field"], future.value.errors[0]["field"]) == (
            "body.company_code", "body.occurred_on")

    async def test_mon6_a_company_reads_only_its_own_rating(self, supplied):
        other = Principal(role=Role.COMPANY, key_id="b", tenant="91500000MA5U0000B2")
        async with supplied() as session:
            with pytest.raises(Problem) as foreign:
                await credit.rating(session, company_code=A, as_of=date(2025, 3, 10), principal=other)
        assert foreign.value.status == 404
