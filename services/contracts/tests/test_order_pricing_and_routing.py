"""CON-4 decisions of an order line, as the pure functions the order service applies."""

import pytest

from vbp_contracts.agreements.models import Agreement
from vbp_contracts.orders.pricing import LineRefused, agreed_unit_price, designated_distributor, refuse_price

WINNING = 68_000  # 680.00 yuan, in fen


class TestPriceAboveTheWinningPriceIsRefused:
    """CON-4 (seeds 002/003): no re-negotiation — a line above the winning price is refused,
    whatever the batch allows below it."""

    @pytest.mark.parametrize("below_allowed", [True, False])
    def test_one_fen_above_is_refused(self, below_allowed):
        with pytest.raises(LineRefused) as refused:
            refuse_price(WINNING + 1, line_no=3, winning_price_fen=WINNING, below_allowed=below_allowed,
                         batch_code="B1")
        assert refused.value.field == "unit_price"
        assert refused.value.error["field"] == "body.lines[line_no=3].unit_price"
        assert "above the winning price 680.00" in refused.value.reason

    @pytest.mark.parametrize("below_allowed", [True, False])
    def test_exactly_the_winning_price_passes(self, below_allowed):
        assert refuse_price(WINNING, line_no=1, winning_price_fen=WINNING, below_allowed=below_allowed,
                            batch_code="B1") is None


class TestPriceBelowTheWinningPriceOnlyWherePolicyAllows:
    """CON-4: buying below the winning price only where the batch's policy sets
    buy_below_winning_price (seed 002 allows it; the stent batch, seed 003, does not)."""

    def test_one_fen_below_passes_where_the_policy_allows_it(self):
        assert refuse_price(WINNING - 1, line_no=1, winning_price_fen=WINNING, below_allowed=True,
                            batch_code="B1") is None

    def test_one_fen_below_is_refused_where_the_policy_does_not(self):
        with pytest.raises(LineRefused) as refused:
            refuse_price(WINNING - 1, line_no=2, winning_price_fen=WINNING, below_allowed=False, batch_code="B1")
        assert refused.value.field == "unit_price"
        assert "batch B1 does not allow buying below it" in refused.value.reason


class TestTheWinningPriceFollowsTheServiceOption:
    """CON-4 with seed 004: the price a line is checked against is the winning price, less
    the service price where the hospital chose the without-service option."""

    def test_with_service_is_the_winning_price(self):
        assert agreed_unit_price(WINNING, 5_000, with_service=True) == WINNING

    def test_without_service_takes_the_service_price_off(self):
        assert agreed_unit_price(WINNING, 5_000, with_service=False) == 63_000


class TestRoutedToTheDesignatedDistributor:
    """CON-4 routing: a line goes to the distributor designated in the hospital's effective
    agreement with the product's manufacturer; with none designated it is refused (CON-6)."""

    def _agreement(self, distributor_code):
        return Agreement(id=7, batch_code="B1", agreement_year=1, hospital_code="H1", manufacturer_code="M1",
                         distributor_code=distributor_code, with_service=True, version=1, status="effective")

    def test_the_line_goes_to_the_designated_distributor(self):
        routed = designated_distributor(self._agreement("D1"), line_no=1, year=1, batch_code="B1",
                                        manufacturer_code="M1")
        assert routed == "D1"

    def test_no_distributor_designated_is_refused(self):
        with pytest.raises(LineRefused) as refused:
            designated_distributor(self._agreement(None), line_no=4, year=1, batch_code="B1", manufacturer_code="M1")
        assert refused.value.error["field"] == "body.lines[line_no=4].product_id"
        assert "agreement 7 has no designated distributor" in refused.value.reason

    def test_no_effective_agreement_is_refused(self):
        with pytest.raises(LineRefused) as refused:
            designated_distributor(None, line_no=1, year=2, batch_code="B1", manufacturer_code="M1")
        assert refused.value.field == "product_id"
        assert "no effective agreement for year 2 of B1 with M1" in refused.value.reason
