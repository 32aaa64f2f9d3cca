"""The unit prices an award agrees to: the bid's own, lowered with its total by a reverse auction."""

from decimal import Decimal

from procurement.pricing import agreed_unit_prices


def test_without_an_auction_the_opened_prices_stand():
    prices = agreed_unit_prices(opened_prices={"1": "10.50", "2": "3"}, opened_total="31.50", agreed_total="31.50")

    assert prices == {"1": Decimal("10.50"), "2": Decimal("3")}


def test_an_auction_lowers_every_unit_price_in_the_proportion_of_the_total():
    # 2 × 10.00 + 10 × 2.00 = 40.00, auctioned down to 30.00: three quarters of every price.
    prices = agreed_unit_prices(opened_prices={"1": "10.00", "2": "2.00"}, opened_total="40.00", agreed_total="30.00")

    assert prices == {"1": Decimal("7.5000"), "2": Decimal("1.5000")}
    assert 2 * prices["1"] + 10 * prices["2"] == Decimal("30.00")


def test_prices_are_kept_to_four_decimals_rounding_half_up():
    prices = agreed_unit_prices(opened_prices={"1": "1.00"}, opened_total="3.00", agreed_total="2.00")

    assert prices == {"1": Decimal("0.6667")}


def test_no_prices_no_points():
    assert agreed_unit_prices(opened_prices={}, opened_total=None, agreed_total="10") == {}
