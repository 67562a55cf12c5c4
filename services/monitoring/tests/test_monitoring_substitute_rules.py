"""MON-5 substitutes on a real database: the exchange's monthly push of non-winning
purchases, the share of non-winning quantity in a group's purchases per hospital and month,
and the alert above the threshold or on a sharp rise — figures worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, timezone

from monitoring_setup import A, accepted, agreement, deliver
from vbp_monitoring.alerts import service as alerts
from vbp_monitoring.substitutes import service
from vbp_monitoring.substitutes.schemas import NonWinningPush
from vbpkit.web.identity import Principal, Role
from vbpkit.projections.catalog_view.models import ProductView

ADMIN = Principal(role=Role.ADMIN, key_id="admin")


def row(hospital: str, month: str, quantity: int, group: str = "G1") -> dict:
    return {"hospital_code": hospital, "batch_code": "CQ", "group_code": group, "product": "某非中选支架",
            "month": month, "quantity": quantity, "amount": f"{quantity * 20}.00"}


async def pushed(sessions, rows: list[dict]) -> dict:
    async with sessions() as session, session.begin():
        return await service.push(session, NonWinningPush.model_validate({"rows": rows}).rows)


class TestSubstituteShare:
    async def test_mon5_share_threshold_and_rise(self, sessions):
        """chongqing-2025: threshold 0.3, rise 10 points. H1's group G1 (winning product 11):
        February 90 winning, 10 not → 0.1000; March 60 and 40 → 0.4000 (above 0.3, and up 30
        points); April 80 and 20 → 0.2000 (below, and falling)."""
        async with sessions() as session, session.begin():
            session.add(ProductView(product_id=11, batch_code="CQ", group_code="G1", registration_no="R11", spec="1",
                                    name="P11", applicant_credit_code=A, winning=True, service_price_fen=0,
                                    winning_price_fen=1000, status="listed", as_of=datetime.now(timezone.utc)))
        await deliver(sessions, agreement(1, "H1", A, [(11, 2000, 1000)]),
                      accepted(1, "H1", A, 11, 90, 1000, date(2025, 2, 10)),
                      accepted(2, "H1", A, 11, 60, 1000, date(2025, 3, 10)),
                      accepted(3, "H1", A, 11, 80, 1000, date(2025, 4, 10)))
        result = await pushed(sessions, [row("H1", "2025-02", 10), row("H1", "2025-03", 40), row("H1", "2025-04", 20),
                                         row("H-NOBODY", "2025-04", 1), row("H1", "2025-04", 1, group="G9")])
        assert (result["stored"], [(e["row"], e["field"]) for e in result["errors"]]) == (
            3, [(4, "hospital_code"), (5, "group_code")])
        async with sessions() as session:
            shares = await service.visible_shares(session, principal=ADMIN, until=date(2025, 4, 30), batch_code=None,
                                                  hospital_code=None)
        assert [(s["month"], str(s["share"]), s["alert"]) for s in shares] == [
            ("2025-02", "0.1000", False), ("2025-03", "0.4000", True), ("2025-04", "0.2000", False)]
        assert shares[1]["explain"]["above_threshold"] and shares[1]["explain"]["rose_more_than_allowed"]
        async with sessions() as session, session.begin():
            await alerts.run_alert_checks(session, today=date(2025, 3, 20))  # March not over: not judged yet
        async with sessions() as session:
            assert await alerts.listing(session, principal=ADMIN, filters={"kind": "substitutes"}, region_code=None,
                                        after_id=None, limit=5) == ([], {})
        async with sessions() as session, session.begin():
            raised = await alerts.run_alert_checks(session, today=date(2025, 5, 1))
        async with sessions() as session:
            [alert], _ = await alerts.listing(session, principal=ADMIN, filters={"kind": "substitutes"},
                                              region_code=None, after_id=None, limit=10)
        assert alert.id in raised and (alert.period, alert.group_code, alert.details["share"]) == ("2025-03", "G1",
                                                                                      "0.4000")
        # the same month pushed again replaces the exchange's earlier figure
        await pushed(sessions, [row("H1", "2025-03", 10)])
        async with sessions() as session:
            again = await service.visible_shares(session, principal=ADMIN, until=date(2025, 3, 31), batch_code="CQ",
                                                 hospital_code="H1")
        assert str(again[-1]["share"]) == "0.1429"  # 10 ÷ 70


class TestNonWinningCutOff:
    async def test_mon5_a_non_winning_product_dropped_to_zero_is_alerted(self, sessions):
        """Seed 001 (不得单一采购中选产品、对非中选产品“一刀切”简单停用), level 0.05: H1 bought 90 winning and
        10 non-winning in February (0.1000); in March 100 winning and none → a cut-off, period March.
        H2 bought 99 and 1 (0.0100, under the level) and then none: not one. H3 stopped buying the
        group altogether in March: no winning purchase, no cut-off to see."""
        async with sessions() as session, session.begin():
            session.add(ProductView(product_id=11, batch_code="CQ", group_code="G1", registration_no="R11", spec="1",
                                    name="P11", applicant_credit_code=A, winning=True, service_price_fen=0,
                                    winning_price_fen=1000, status="listed", as_of=datetime.now(timezone.utc)))
        await deliver(sessions, *(agreement(n, h, A, [(11, 2000, 1000)]) for n, h in enumerate(("H1", "H2", "H3"), 1)),
                      accepted(1, "H1", A, 11, 90, 1000, date(2025, 2, 10)),
                      accepted(2, "H1", A, 11, 100, 1000, date(2025, 3, 10)),
                      accepted(3, "H2", A, 11, 99, 1000, date(2025, 2, 10)),
                      accepted(4, "H2", A, 11, 100, 1000, date(2025, 3, 10)),
                      accepted(5, "H3", A, 11, 50, 1000, date(2025, 2, 10)))
        await pushed(sessions, [row("H1", "2025-02", 10), row("H2", "2025-02", 1), row("H3", "2025-02", 50)])
        async with sessions() as session, session.begin():
            await alerts.run_alert_checks(session, today=date(2025, 4, 1))
        async with sessions() as session:
            found, _ = await alerts.listing(session, principal=ADMIN, filters={"kind": "non_winning_cutoff"},
                                            region_code=None, after_id=None, limit=10)
        assert [(a.hospital_code, a.period, a.group_code, a.rule) for a in found] == [("H1", "2025-03", "G1", "MON-5")]
        assert (found[0].details["previous_share"], found[0].details["winning_quantity"]) == ("0.1000", 100)
