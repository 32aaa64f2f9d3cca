"""The score sheet: price points, weighted totals, disqualification, ties, refused inputs, invariants."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.scoring import (
    NOT_QUALIFIED,
    TECHNICAL_BELOW_MINIMUM,
    BidScore,
    EvaluationRules,
    evaluate,
    price_points,
)

D = Decimal
T0 = datetime(2026, 7, 30, 15, 0, tzinfo=UTC)  # the submission deadline day, server time

PRICE_ONLY = EvaluationRules(method="price_only", max_price_points=D("100"))
WEIGHTED_70_30 = EvaluationRules(
    method="weighted",
    max_price_points=D("100"),
    max_technical_points=D("100"),
    technical_weight=D("0.70"),
    economic_weight=D("0.30"),
)


def bid(bid_id, price, technical=None, *, mype=False, minutes=0, qualified=True):
    return BidScore(
        bid_id=bid_id,
        price=D(price),
        technical=None if technical is None else D(technical),
        is_mype=mype,
        submitted_at=T0 + timedelta(minutes=minutes),
        qualified=qualified,
    )


def by_id(rows):
    return {row.bid_id: row for row in rows}


def weighted(*, tie_rules=(), min_technical=None, technical="0.50", economic="0.50"):
    return EvaluationRules(
        method="weighted",
        max_price_points=D("100"),
        max_technical_points=D("100"),
        technical_weight=D(technical),
        economic_weight=D(economic),
        min_technical=min_technical,
        tie_rules=tie_rules,
    )


# --- price points -------------------------------------------------------------------------------


def test_price_points_exact_example():
    # 80,000 × 100 / 80,000 = 100; 8,000,000 / 100,000 = 80; 8,000,000 / 125,000 = 64.
    rows = evaluate([bid("a", "100000.00"), bid("b", "80000.00"), bid("c", "125000.00")], PRICE_ONLY)

    assert [(r.bid_id, r.price_points, r.total, r.rank) for r in rows] == [
        ("b", D("100.00"), D("100.00"), 1),
        ("a", D("80.00"), D("80.00"), 2),
        ("c", D("64.00"), D("64.00"), 3),
    ]
    assert all(r.disqualified_reason is None and r.tie_broken_by is None for r in rows)


def test_price_points_with_rounding():
    # lowest 97,000: 97,000 × 100 / 97,000 = 100.00
    # 9,700,000 / 103,500 = 93.719806… → 93.72 (third decimal 9 rounds up)
    # 9,700,000 / 110,250 = 87.981859… → 87.98 (third decimal 1 rounds down)
    rows = by_id(evaluate([bid(1, "97000"), bid(2, "103500"), bid(3, "110250")], PRICE_ONLY))

    assert rows[1].price_points == D("100.00")
    assert rows[2].price_points == D("93.72")
    assert rows[3].price_points == D("87.98")
    assert str(rows[1].price_points) == "100.00"  # always published with two decimals


def test_rounding_is_half_up_not_half_even():
    # 10,000 × 100 / 320,000 = 3.125 exactly → 3.13 half-up (half-even would give 3.12)
    assert price_points(D("320000"), lowest_price=D("10000"), max_points=D("100")) == D("3.13")
    # the number of decimals is a parameter: 93.719806… → 93.7 and → 94
    assert price_points(D("103500"), lowest_price=D("97000"), max_points=D("100"), decimals=1) == D("93.7")
    assert price_points(D("103500"), lowest_price=D("97000"), max_points=D("100"), decimals=0) == D("94")


def test_decimals_come_from_the_rules():
    rules = EvaluationRules(method="price_only", max_price_points=D("100"), decimals=3)

    rows = by_id(evaluate([bid(1, "97000"), bid(2, "103500")], rules))

    assert rows[2].price_points == D("93.720")  # 93.719806… → 93.720
    assert str(rows[1].price_points) == "100.000"


# --- weighted totals -----------------------------------------------------------------------------


def test_weighted_totals_70_30():
    # price points as above: 100.00 / 93.72 / 87.98
    # 1: 80 × 0.70 + 100.00 × 0.30 = 56 + 30 = 86.00
    # 2: 92 × 0.70 + 93.72 × 0.30 = 64.4 + 28.116 = 92.516 → 92.52
    # 3: 100 × 0.70 + 87.98 × 0.30 = 70 + 26.394 = 96.394 → 96.39
    rows = evaluate([bid(1, "97000", "80"), bid(2, "103500", "92"), bid(3, "110250", "100")], WEIGHTED_70_30)

    assert [(r.bid_id, r.technical, r.price_points, r.total, r.rank) for r in rows] == [
        (3, D("100"), D("87.98"), D("96.39"), 1),
        (2, D("92"), D("93.72"), D("92.52"), 2),
        (1, D("80"), D("100.00"), D("86.00"), 3),
    ]


def test_weighted_total_uses_the_published_price_points():
    # 100,000 × 100 / 100,016 = 99.984002… → 99.98 published
    # total = 80 × 0.70 + 99.98 × 0.30 = 56 + 29.994 = 85.994 → 85.99
    # (from the unrounded points it would be 56 + 29.9952… = 85.9952… → 86.00: the sheet must add up)
    rows = by_id(evaluate([bid(1, "100000", "100"), bid(2, "100016", "80")], WEIGHTED_70_30))

    assert rows[2].price_points == D("99.98")
    assert rows[2].total == D("85.99")


def test_weighted_total_rounds_half_up():
    # 80.15 × 0.70 + 100.00 × 0.30 = 56.105 + 30 = 86.105 → 86.11 (half-even would give 86.10)
    rows = evaluate([bid(1, "50000", "80.15")], WEIGHTED_70_30)

    assert rows[0].total == D("86.11")


# --- who takes part ------------------------------------------------------------------------------


def test_below_the_technical_minimum_is_out_before_prices():
    # a (65 < 70) is out, so the lowest price is b's 100,000, not a's 80,000:
    # b: 100 points; 80 × 0.70 + 100 × 0.30 = 56 + 30 = 86.00
    # c: 100,000 × 100 / 125,000 = 80 points; 90 × 0.70 + 80 × 0.30 = 63 + 24 = 87.00
    # d: exactly the minimum passes; 10,000,000 / 200,000 = 50 points; 70 × 0.70 + 50 × 0.30 = 49 + 15 = 64.00
    rules = weighted(min_technical=D("70"), technical="0.70", economic="0.30")
    bids = [bid("a", "80000", "65"), bid("b", "100000", "80"), bid("c", "125000", "90"), bid("d", "200000", "70")]

    rows = evaluate(bids, rules)

    assert [(r.bid_id, r.price_points, r.total, r.rank, r.disqualified_reason) for r in rows] == [
        ("c", D("80.00"), D("87.00"), 1, None),
        ("b", D("100.00"), D("86.00"), 2, None),
        ("d", D("50.00"), D("64.00"), 3, None),
        ("a", None, None, None, TECHNICAL_BELOW_MINIMUM),
    ]


def test_the_minimum_also_gates_a_price_only_evaluation():
    rules = EvaluationRules(
        method="price_only", max_price_points=D("100"), max_technical_points=D("100"), min_technical=D("70")
    )

    rows = by_id(evaluate([bid("a", "80000", "69.99"), bid("b", "100000", "70")], rules))

    assert rows["a"].disqualified_reason == TECHNICAL_BELOW_MINIMUM
    assert (rows["b"].price_points, rows["b"].rank) == (D("100.00"), 1)


def test_unqualified_bids_do_not_set_the_lowest_price():
    # a is cheapest but not qualified: the lowest price is b's 80,000 → b 100.00, c 8,000,000 / 100,000 = 80.00
    rows = evaluate([bid("a", "50000", qualified=False), bid("b", "80000"), bid("c", "100000")], PRICE_ONLY)

    assert [(r.bid_id, r.price_points, r.rank, r.disqualified_reason) for r in rows] == [
        ("b", D("100.00"), 1, None),
        ("c", D("80.00"), 2, None),
        ("a", None, None, NOT_QUALIFIED),
    ]


def test_an_unqualified_bid_needs_no_technical_points_in_a_weighted_evaluation():
    rows = by_id(evaluate([bid("a", "50000", None, qualified=False), bid("b", "80000", "90")], WEIGHTED_70_30))

    assert rows["a"].disqualified_reason == NOT_QUALIFIED
    assert rows["b"].total == D("93.00")  # 90 × 0.70 + 100 × 0.30 = 63 + 30


def test_no_bid_left_ranks_nobody():
    rows = evaluate([bid("a", "50000", qualified=False)], PRICE_ONLY)

    assert [(r.rank, r.disqualified_reason) for r in rows] == [(None, NOT_QUALIFIED)]
    assert evaluate([], PRICE_ONLY) == []


# --- ties ----------------------------------------------------------------------------------------


def test_lowest_price_breaks_a_tie():
    # 0.50 / 0.50: a = 80 × 0.5 + 100 × 0.5 = 90.00; b = 100 × 0.5 + 80 × 0.5 = 90.00 (80,000 × 100 / 100,000)
    rows = evaluate([bid("b", "100000", "100"), bid("a", "80000", "80")], weighted(tie_rules=("lowest_price",)))

    assert [(r.bid_id, r.total, r.rank, r.tie_broken_by) for r in rows] == [
        ("a", D("90.00"), 1, None),
        ("b", D("90.00"), 2, "lowest_price"),
    ]


def test_lowest_price_separates_prices_that_round_to_the_same_points():
    # 8,000,000 / 100,000.00 = 80.00 and 8,000,000 / 100,000.01 = 79.999992… → 80.00
    rules = EvaluationRules(method="price_only", max_price_points=D("100"), tie_rules=("lowest_price",))

    rows = evaluate([bid("x", "80000"), bid("c", "100000.01"), bid("b", "100000.00")], rules)

    assert [(r.bid_id, r.price_points, r.rank, r.tie_broken_by) for r in rows] == [
        ("x", D("100.00"), 1, None),
        ("b", D("80.00"), 2, None),  # its total is below x's: no tie rule involved
        ("c", D("80.00"), 3, "lowest_price"),
    ]


def test_mype_first_breaks_a_tie_the_price_cannot():
    rules = weighted(tie_rules=("lowest_price", "mype_first"))

    rows = evaluate([bid("big", "100000", "90"), bid("mype", "100000", "90", mype=True)], rules)

    assert [(r.bid_id, r.rank, r.tie_broken_by) for r in rows] == [("mype", 1, None), ("big", 2, "mype_first")]


def test_earliest_submission_breaks_a_tie():
    rules = weighted(tie_rules=("lowest_price", "mype_first", "earliest_submission"))

    rows = evaluate([bid("late", "100000", "90", minutes=5), bid("early", "100000", "90", minutes=-5)], rules)

    assert [(r.bid_id, r.rank, r.tie_broken_by) for r in rows] == [
        ("early", 1, None),
        ("late", 2, "earliest_submission"),
    ]


def test_the_order_of_tie_rules_matters():
    # Both total 90.00 with 0.50 / 0.50 (as in test_lowest_price_breaks_a_tie).
    # cheap: lower price, not a MYPE, later; mype: dearer, a MYPE, earlier.
    bids = [bid("cheap", "80000", "80", minutes=10), bid("mype", "100000", "100", mype=True, minutes=0)]

    def order(tie_rules):
        return [(r.bid_id, r.tie_broken_by) for r in evaluate(bids, weighted(tie_rules=tie_rules))]

    assert order(("lowest_price", "mype_first")) == [("cheap", None), ("mype", "lowest_price")]
    assert order(("mype_first", "lowest_price")) == [("mype", None), ("cheap", "mype_first")]
    assert order(("earliest_submission", "lowest_price")) == [("mype", None), ("cheap", "earliest_submission")]


def test_rules_apply_only_to_the_bids_still_tied():
    # Three at 90.00; lowest_price puts a first, then b and c (same price) are split by mype_first.
    bids = [bid("c", "100000", "100"), bid("b", "100000", "100", mype=True), bid("a", "80000", "80")]

    rows = evaluate(bids, weighted(tie_rules=("lowest_price", "mype_first")))

    assert [(r.bid_id, r.rank, r.tie_broken_by) for r in rows] == [
        ("a", 1, None),
        ("b", 2, "lowest_price"),
        ("c", 3, "mype_first"),
    ]


IDENTICAL = [bid(i, "100000", "90", minutes=0) for i in (101, 102, 103, 104, 105)]


def test_the_lottery_is_reproducible_and_depends_on_the_seed():
    # Order = ascending sha256("<seed>:<bid_id>") hex digest, which anyone can recompute, e.g.
    # `printf '%s' 'acta-LP-3-2026-lote-1:104' | sha256sum`.
    # lote-1: 104 340895c0…, 101 43ac60e9…, 102 561d4195…, 105 ad504578…, 103 c9d5dc01…
    # lote-2: 101 3bbf1115…, 105 596050a9…, 103 84da486d…, 102 89ccf61b…, 104 bf20ee3d…
    rules = weighted(tie_rules=("lowest_price", "mype_first", "earliest_submission", "lottery"))

    first = evaluate(IDENTICAL, rules, lottery_seed="acta-LP-3-2026-lote-1")
    again = evaluate(list(reversed(IDENTICAL)), rules, lottery_seed="acta-LP-3-2026-lote-1")
    other = evaluate(IDENTICAL, rules, lottery_seed="acta-LP-3-2026-lote-2")

    assert [r.bid_id for r in first] == [104, 101, 102, 105, 103]
    assert again == first  # same seed, same draw, whatever order the bids came in
    assert [r.bid_id for r in other] == [101, 105, 103, 102, 104]
    assert [r.rank for r in first] == [1, 2, 3, 4, 5]
    assert [r.tie_broken_by for r in first] == [None, "lottery", "lottery", "lottery", "lottery"]


def test_the_lottery_needs_a_seed_only_when_a_tie_reaches_it():
    rules = weighted(tie_rules=("lowest_price", "lottery"))

    with pytest.raises(ValueError, match="lottery_seed"):
        evaluate(IDENTICAL, rules)
    # no tie left for the lottery: no seed needed
    assert [r.bid_id for r in evaluate([bid("a", "80000", "80"), bid("b", "100000", "100")], rules)] == ["a", "b"]


def test_bids_still_tied_after_every_rule_share_their_rank():
    rules = weighted(tie_rules=("lowest_price", "mype_first"))
    # x: 90 × 0.5 + 100 × 0.5 = 95.00; y and z: 100 × 0.5 + 90 × 0.5 = 95.00 (90,000 × 100 / 100,000 = 90),
    # and y and z agree on price and MYPE status too. w: 50 × 0.5 + 90 × 0.5 = 70.00
    bids = [bid("x", "90000", "90"), bid("y", "100000", "100"), bid("z", "100000", "100"), bid("w", "100000", "50")]

    rows = evaluate(bids, rules)

    assert [(r.bid_id, r.total, r.rank, r.tie_broken_by, r.tied_with) for r in rows] == [
        ("x", D("95.00"), 1, None, ()),
        ("y", D("95.00"), 2, "lowest_price", ("z",)),
        ("z", D("95.00"), 2, None, ("y",)),
        ("w", D("70.00"), 4, None, ()),  # competition ranking: 1, 2, 2, 4
    ]


def test_without_tie_rules_equal_totals_stay_tied():
    rows = evaluate([bid("a", "80000", "80"), bid("b", "100000", "100")], weighted())

    assert [(r.bid_id, r.rank, r.tied_with) for r in rows] == [("a", 1, ("b",)), ("b", 1, ("a",))]


# --- refused inputs ------------------------------------------------------------------------------


@pytest.mark.parametrize("price", ["0", "0.00", "-1"])
def test_a_price_of_zero_or_less_is_refused(price):
    with pytest.raises(ValueError, match="price must be above zero"):
        bid("a", price)


def test_float_money_is_refused():
    with pytest.raises(TypeError, match="Decimal"):
        BidScore(bid_id=1, price=100000.0, technical=None, is_mype=False, submitted_at=T0)
    with pytest.raises(TypeError, match="technical_weight must be a Decimal, not float"):
        EvaluationRules(
            method="weighted",
            max_price_points=D("100"),
            max_technical_points=D("100"),
            technical_weight=0.7,
            economic_weight=0.3,
        )


def test_negative_technical_points_are_refused():
    with pytest.raises(ValueError, match="cannot be negative"):
        bid("a", "100000", "-0.01")


def test_technical_points_above_the_maximum_are_refused():
    with pytest.raises(ValueError, match="above the maximum"):
        evaluate([bid("a", "100000", "100.01")], WEIGHTED_70_30)


def test_a_qualified_bid_without_technical_points_is_refused_when_weighted():
    with pytest.raises(ValueError, match="no technical points"):
        evaluate([bid("a", "100000", None)], WEIGHTED_70_30)


def test_a_naive_submission_time_is_refused():
    with pytest.raises(ValueError, match="aware"):
        BidScore(bid_id=1, price=D("1"), technical=None, is_mype=False, submitted_at=datetime(2026, 7, 30, 10))


def test_duplicate_bid_ids_are_refused():
    with pytest.raises(ValueError, match="more than once"):
        evaluate([bid(7, "100000"), bid("7", "90000")], PRICE_ONLY)


@pytest.mark.parametrize(
    ("technical", "economic", "message"),
    [
        ("0.70", "0.20", r"must be exactly 1, got 0.70 \+ 0.20 = 0.90"),
        ("0.70", "0.40", "must be exactly 1"),
        ("1.10", "-0.10", "technical_weight must be between 0 and 1"),
    ],
)
def test_weights_must_sum_to_exactly_one(technical, economic, message):
    with pytest.raises(ValueError, match=message):
        weighted(technical=technical, economic=economic)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "lowest_bid"}, "unknown evaluation method"),
        ({"tie_rules": ("lowest_price", "coin_toss")}, "unknown tie rule 'coin_toss'"),
        ({"tie_rules": ("lottery", "lottery")}, "repeated"),
        ({"max_price_points": D("0")}, "max_price_points must be above zero"),
        ({"max_price_points": D("33.333")}, "more than 2 decimals"),
        ({"decimals": -1}, "decimals"),
        ({"max_technical_points": None}, "needs max_technical_points"),
        ({"technical_weight": None}, "needs technical_weight and economic_weight"),
        ({"min_technical": D("101")}, "min_technical must be between 0"),
    ],
)
def test_invalid_rules_are_refused(kwargs, message):
    base = {
        "method": "weighted",
        "max_price_points": D("100"),
        "max_technical_points": D("100"),
        "technical_weight": D("0.70"),
        "economic_weight": D("0.30"),
    }
    with pytest.raises(ValueError, match=message):
        EvaluationRules(**(base | kwargs))


def test_weights_are_refused_in_a_price_only_evaluation():
    with pytest.raises(ValueError, match="only to a weighted"):
        EvaluationRules(
            method="price_only", max_price_points=D("100"), technical_weight=D("0.7"), economic_weight=D("0.3")
        )


def test_tie_rules_from_configuration_lists_are_kept_as_a_tuple():
    rules = EvaluationRules(method="price_only", max_price_points=D("100"), tie_rules=["lowest_price", "lottery"])

    assert rules.tie_rules == ("lowest_price", "lottery")


def test_price_points_refuses_a_lowest_price_above_the_price():
    with pytest.raises(ValueError, match="cannot be above"):
        price_points(D("80000"), lowest_price=D("100000"), max_points=D("100"))
    with pytest.raises(ValueError, match="above zero"):
        price_points(D("0"), lowest_price=D("0"), max_points=D("100"))


# --- invariants ----------------------------------------------------------------------------------

prices = st.integers(min_value=1, max_value=10**10).map(lambda cents: Decimal(cents).scaleb(-2))
technicals = st.integers(min_value=0, max_value=10_000).map(lambda hundredths: Decimal(hundredths).scaleb(-2))
bids_strategy = st.lists(
    st.tuples(prices, technicals, st.booleans(), st.integers(min_value=0, max_value=5), st.booleans()),
    min_size=1,
    max_size=12,
)
rules_strategy = st.one_of(
    st.builds(
        EvaluationRules,
        method=st.just("price_only"),
        max_price_points=st.sampled_from([D("100"), D("50"), D("1")]),
        tie_rules=st.permutations(["lowest_price", "mype_first", "earliest_submission"]).map(tuple),
    ),
    st.integers(min_value=0, max_value=100).map(
        lambda tw: EvaluationRules(
            method="weighted",
            max_price_points=D("100"),
            max_technical_points=D("100"),
            technical_weight=Decimal(tw).scaleb(-2),
            economic_weight=Decimal(100 - tw).scaleb(-2),
            min_technical=D("40"),
            tie_rules=("mype_first", "lowest_price"),
        )
    ),
)


@settings(max_examples=300, deadline=None)
@given(raw=bids_strategy, rules=rules_strategy, with_lottery=st.booleans(), seed=st.text(max_size=20))
def test_ranks_follow_totals_and_price_points_stay_within_the_maximum(raw, rules, with_lottery, seed):
    if with_lottery:
        rules = EvaluationRules(**(vars(rules) | {"tie_rules": (*rules.tie_rules, "lottery")}))
    bids = [
        BidScore(bid_id=i, price=p, technical=t, is_mype=m, submitted_at=T0 + timedelta(minutes=mins), qualified=q)
        for i, (p, t, m, mins, q) in enumerate(raw)
    ]

    rows = evaluate(bids, rules, lottery_seed=seed)

    assert sorted(r.bid_id for r in rows) == list(range(len(bids)))  # one row per bid
    ranked = [r for r in rows if r.rank is not None]
    assert all(r.disqualified_reason is None for r in ranked)
    assert all(r.price_points is None and r.total is None for r in rows if r.rank is None)
    ranks = [r.rank for r in ranked]
    if with_lottery:
        assert sorted(ranks) == list(range(1, len(ranked) + 1))  # a permutation: nobody left tied
    else:
        # competition ranking: each rank is 1 + the number of bids strictly ahead of it
        assert all(r.rank == 1 + sum(o.rank < r.rank for o in ranked) for r in ranked)
    for a in ranked:
        for b in ranked:
            if a.total > b.total:
                assert a.rank < b.rank
    if ranked:
        lowest = min(r.price for r in ranked)
        assert all(r.price_points <= rules.max_price_points for r in ranked)
        assert all(r.price_points == rules.max_price_points for r in ranked if r.price == lowest)
        assert all(r.price_points.as_tuple().exponent == -rules.decimals for r in ranked)
