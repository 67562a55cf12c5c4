"""MON-2 stockpiling and MON-3 onboarding alerts on a real database, on the service's
injectable clock: raised once per condition and period, announced, acknowledged, resolved."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import text
from monitoring_setup import A, accepted, agreement, deliver
from vbp_monitoring.alerts import service
from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem

INSURER = Principal(role=Role.INSURER, key_id="cq", tenant="500000")
NOW = datetime(2025, 5, 1, 2, tzinfo=timezone.utc)  # when the alerts are acknowledged


async def check(sessions, today: date, kind: str) -> list[int]:
    """Run every check as of ``today``; the ids of the alerts of ``kind`` it raised."""
    async with sessions() as session, session.begin():
        raised = set(await service.run_alert_checks(session, today=today))
    return sorted(a.id for a in await alerts(sessions, Principal(role=Role.ADMIN, key_id="a"), kind=kind)
                  if a.id in raised)


async def alerts(sessions, principal: Principal = INSURER, **filters):
    args = {"batch_code": None, "hospital_code": None, "company_code": None, "kind": None, "period": None,
            "status": None} | filters
    async with sessions() as session:
        found, _ = await service.listing(session, principal=principal, filters=args, region_code=None, after_id=None,
                                         limit=50)
        return found


async def announced(sessions) -> list[dict]:
    async with sessions() as session:
        rows = await session.execute(text("SELECT envelope FROM outbox WHERE type = 'monitoring.alert.raised' "
                                          "ORDER BY id"))
        return [r[0]["data"] for r in rows]


class TestStockpiling:
    async def test_mon2_a_month_above_factor_times_agreed_over_12_once(self, sessions):
        """chongqing-2025 (factor 2): H1 agreed 120 a year → a month may take 2 × 120 ÷ 12 = 20.
        March 15 + 6 = 21 > 20 → one alert for 2025-03; April's 20 is not above it."""
        await deliver(sessions, agreement(1, "H1", A, [(11, 120, 1000)]),
                      accepted(1, "H1", A, 11, 15, 1000, date(2025, 3, 3)),
                      accepted(2, "H1", A, 11, 6, 1000, date(2025, 3, 28)),
                      accepted(3, "H1", A, 11, 20, 1000, date(2025, 4, 2)))
        assert await check(sessions, date(2025, 3, 27), "stockpiling") == []  # 15 by then
        [raised] = await check(sessions, date(2025, 4, 30), "stockpiling")
        assert await check(sessions, date(2025, 5, 1), "stockpiling") == []  # once per condition and period
        [alert] = await alerts(sessions, kind="stockpiling")
        assert (alert.id, alert.period, alert.hospital_code, alert.product_id, alert.status) == (
            raised, "2025-03", "H1", 11, "open")
        assert (alert.details["accepted_in_month"], alert.details["limit"]) == (21, "20.00")
        [event] = [e for e in await announced(sessions) if e["kind"] == "stockpiling"]
        assert (event["alert_id"], event["kind"], event["rule"], event["period"]) == (raised, "stockpiling", "MON-2",
                                                                                      "2025-03")


class TestOnboarding:
    async def test_mon3_two_months_after_the_start_a_hospital_that_bought_nothing(self, sessions):
        """Seed 001: the batch starts 2025-01-01, so from 2025-03-01 every hospital with agreed
        items and no accepted delivery is alerted; H1 bought, H2 did not. When H2 buys, the
        next check resolves its alert."""
        await deliver(sessions, agreement(1, "H1", A, [(11, 120, 1000)]), agreement(2, "H2", A, [(11, 60, 1000)]),
                      accepted(1, "H1", A, 11, 5, 1000, date(2025, 1, 20)))
        assert await check(sessions, date(2025, 2, 28), "onboarding") == []
        [raised] = await check(sessions, date(2025, 3, 1), "onboarding")
        [alert] = await alerts(sessions, kind="onboarding")
        assert (alert.id, alert.hospital_code, alert.details["checked_from"]) == (raised, "H2", "2025-03-01")
        await deliver(sessions, accepted(2, "H2", A, 11, 5, 1000, date(2025, 3, 10)))
        assert await check(sessions, date(2025, 3, 11), "onboarding") == []
        [alert] = await alerts(sessions, kind="onboarding")
        assert (alert.status, alert.resolved_on) == ("resolved", date(2025, 3, 11))

    def test_mon3_two_months_on_is_the_same_day_or_the_month_end(self):
        assert service.onboarding_check_day(date(2025, 6, 20)) == date(2025, 8, 20)
        assert service.onboarding_check_day(date(2025, 12, 31)) == date(2026, 2, 28)


class TestAcknowledgementAndScope:
    async def test_alerts_are_acknowledged_once_and_seen_by_those_concerned(self, sessions):
        await deliver(sessions, agreement(1, "H1", A, [(11, 12, 1000)]), agreement(2, "H3", A, [(11, 12, 1000)]))
        await check(sessions, date(2025, 3, 1), "onboarding")  # H1 (Chongqing) and H3 (Chengdu) not onboarded
        assert {a.hospital_code for a in await alerts(sessions, kind="onboarding")} == {"H1"}  # the Chongqing bureau
        h1 = Principal(role=Role.HOSPITAL, key_id="h1", tenant="H1")
        assert {a.hospital_code for a in await alerts(sessions, Principal(role=Role.ADMIN, key_id="a"),
                                                      kind="onboarding")} == {"H1", "H3"}
        [mine] = await alerts(sessions, h1, kind="onboarding")
        h3 = Principal(role=Role.HOSPITAL, key_id="h3", tenant="H3")
        with pytest.raises(Problem) as hidden:
            async with sessions() as session, session.begin():
                await service.acknowledge(session, alert_id=mine.id, note="不是我的", principal=h3, at=NOW)
        assert hidden.value.status == 404
        async with sessions() as session, session.begin():
            done = await service.acknowledge(session, alert_id=mine.id, note="已安排进院采购", principal=INSURER,
                                             at=NOW)
        assert (done.status, done.note, done.acknowledged_by) == ("acknowledged", "已安排进院采购", INSURER.actor)
        with pytest.raises(Problem) as again:
            async with sessions() as session, session.begin():
                await service.acknowledge(session, alert_id=mine.id, note="again", principal=INSURER, at=NOW)
        assert again.value.status == 409


class TestBehindAtTheMonthEnd:
    async def test_mon1_items_behind_target_at_a_month_end_are_alerted_once(self, sessions):
        """On 2025-02-28 (day 59 of 365) the target is 59 ÷ 365 = 0.1616 and behind means below
        0.0616: H1 accepted 10 of 120 (0.0833) is not behind, H2 accepted 3 of 60 (0.0500) is."""
        await deliver(sessions, agreement(1, "H1", A, [(11, 120, 1000)]), agreement(2, "H2", A, [(11, 60, 1000)]),
                      accepted(1, "H1", A, 11, 10, 1000, date(2025, 1, 20)),
                      accepted(2, "H2", A, 11, 3, 1000, date(2025, 2, 20)))
        [raised] = await check(sessions, date(2025, 3, 1), "behind")
        [alert] = await alerts(sessions, kind="behind")
        assert (alert.id, alert.hospital_code, alert.period, alert.details["completion"], alert.details["target"]) == (
            raised, "H2", "2025-02", "0.0500", "0.1616")
        assert await check(sessions, date(2025, 3, 15), "behind") == []  # once for February


class TestManyAlertsAtOnce:
    async def test_a_check_raising_more_alerts_than_one_statement_binds_raises_them_all(self, sessions):
        """A province's MON-11 month raises tens of thousands of alerts in one check: 5,000 rows
        of 11 parameters are beyond PostgreSQL's 32,767 in one statement — all raised, once."""
        rows = [dict(kind="off_platform", rule="MON-11", period="2025-03", batch_code="CQ", hospital_code=f"H{n}",
                     company_code="", product_id=11, group_code="", region_code="500103",
                     raised_on=date(2025, 4, 11), details={"n": n}) for n in range(5_000)]
        async with sessions() as session, session.begin():
            raised = await service.raise_and_announce(session, rows)
        async with sessions() as session, session.begin():
            again = await service.raise_and_announce(session, rows)
        assert (len(raised), len({a.id for a in raised}), again) == (5_000, 5_000, [])
