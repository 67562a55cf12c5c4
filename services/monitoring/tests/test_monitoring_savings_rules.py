"""MON-9 savings on a real database: (baseline − price paid) × accepted quantity net of
returns per hospital of a batch's agreement year; baselines pushed by the exchange."""

from __future__ import annotations

from datetime import date, datetime, timezone

from monitoring_setup import A, accepted, agreement, deliver, returned
from vbp_monitoring.savings import service
from vbp_monitoring.savings.schemas import BaselinePush
from vbpkit.web.identity import Principal, Role
from vbpkit.projections.catalog_view.models import ProductView

EXCHANGE = Principal(role=Role.EXCHANGE, key_id="ex", tenant="CQ-EXCHANGE")
ADMIN = Principal(role=Role.ADMIN, key_id="admin")


async def given_products(sessions, *ids: int) -> None:
    async with sessions() as session, session.begin():
        for product_id in ids:
            session.add(ProductView(**_product(product_id)))


def _product(product_id: int) -> dict:
    return dict(product_id=product_id, batch_code="CQ", group_code="G1", registration_no=f"国械注准{product_id}",
                spec="1", name=f"P{product_id}", applicant_credit_code=A, winning=True, service_price_fen=0,
                winning_price_fen=1000, status="listed", as_of=datetime.now(timezone.utc))


class TestSavings:
    async def test_mon9_baseline_minus_price_paid_times_net_quantity(self, sessions):
        """Product 11 was bought at 16.00 before (baseline) and at 10.00 now: H1 accepted 50,
        returned 5 → 45 × 6.00 = 270.00; H2 accepted 10 of product 12, which has no baseline
        (nothing counted, and said so)."""
        await given_products(sessions, 11, 12)
        async with sessions() as session, session.begin():
            pushed = await service.push_baselines(session, BaselinePush.model_validate({"rows": [
                {"product_id": 11, "baseline_price": "16.00"}, {"product_id": 99, "baseline_price": "1.00"},
                {"product_id": 11, "baseline_price": "17.00"}]}).rows, principal=EXCHANGE)
        assert (pushed["stored"], [(e["row"], e["field"]) for e in pushed["errors"]]) == (
            1, [(2, "product_id"), (3, "product_id")])
        assert pushed["errors"][1]["reason"] == "repeats row 1"
        await deliver(sessions, agreement(1, "H1", A, [(11, 100, 1000)]), agreement(2, "H2", A, [(12, 100, 1000)]),
                      accepted(1, "H1", A, 11, 50, 1000, date(2025, 3, 1)),
                      returned(1, "H1", 5, 1000, date(2025, 3, 9)),
                      accepted(2, "H2", A, 12, 10, 1000, date(2025, 3, 1)))
        async with sessions() as session:
            found = await service.savings(session, principal=ADMIN, batch_code="CQ", as_of=date(2025, 3, 31),
                                          year=None, hospital_code=None)
        assert [(r["hospital_code"], r["savings_fen"]) for r in found["rows"]] == [("H1", 27_000), ("H2", 0)]
        assert found["rows"][0]["products"][0]["quantity"] == 45
        assert found["rows"][1]["products"][0]["baseline"] is None
        async with sessions() as session:
            before = await service.savings(session, principal=ADMIN, batch_code="CQ", as_of=date(2025, 3, 8),
                                           year=None, hospital_code=None)
        assert before["rows"][0]["savings_fen"] == 50 * 600  # the return counts from its day
        h2 = Principal(role=Role.HOSPITAL, key_id="h2", tenant="H2")
        async with sessions() as session:
            mine = await service.savings(session, principal=h2, batch_code="CQ", as_of=date(2025, 3, 31), year=None,
                                         hospital_code=None)
        assert [r["hospital_code"] for r in mine["rows"]] == ["H2"]
