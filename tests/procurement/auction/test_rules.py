"""The auction's rules are data in the procedure type's config, validated when saved."""

import copy
from datetime import timedelta
from decimal import Decimal

import pytest

from procurement.auction.rules import auction_problems, auction_rules
from procurement.procedure_config import validate_procedure_config
from procurement.reference_data import PROCEDURE_TYPES_PE

SUBASTA = next(row for row in PROCEDURE_TYPES_PE if row["code"] == "subasta-inversa-electronica")["config"]
LICITACION = next(row for row in PROCEDURE_TYPES_PE if row["code"] == "licitacion-publica")["config"]


def test_the_shipped_subasta_rules_are_valid_and_read_as_data():
    assert validate_procedure_config(SUBASTA) == []
    rules = auction_rules(SUBASTA["auction"])
    assert rules.duration == timedelta(minutes=10)
    assert rules.extension_window == timedelta(minutes=2)
    assert rules.extension == timedelta(minutes=2)
    assert rules.max_duration == timedelta(minutes=30)
    assert (rules.decrement_kind, rules.decrement_value) == ("percent", Decimal("0.5"))
    assert auction_rules(rules.as_config()) == rules


@pytest.mark.django_db
def test_the_migrated_procedure_type_carries_the_rules():
    from procurement.models import ProcedureType

    config = ProcedureType.objects.get(code="subasta-inversa-electronica").config
    assert config["auction"] == SUBASTA["auction"]
    assert config["scoring"]["tie_rules"][0] == "earliest_submission"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda a: a.update(duration_minutes=0), "auction: the duration is 1 minute or more"),
        (lambda a: a.update(duration_minutes="10"), "auction: duration_minutes must be a whole number of minutes"),
        (lambda a: a.update(extension_minutes=-1), "auction: extension_minutes must be a whole number of minutes"),
        (lambda a: a.update(max_duration_minutes=5), "the maximum duration cannot be shorter than the duration"),
        (lambda a: a.update(extension_window_minutes=11), "the extension window cannot be longer than the auction"),
        (lambda a: a.update(decrement={"kind": "ratio", "value": "1"}), "the decrement is a percent or an amount"),
        (lambda a: a.update(decrement={"kind": "percent", "value": "0"}), "the decrement is more than zero"),
        (lambda a: a.update(decrement={"kind": "percent", "value": "x"}), "the decrement is more than zero"),
        (lambda a: a.update(decrement={"kind": "percent", "value": "100"}), "a percent decrement is below 100"),
        (lambda a: a.update(decrement={"kind": "amount", "value": "0.001"}), "at most two decimals"),
        (lambda a: a.update(price="unit"), "bidders bid the total price"),
        (lambda a: a.update(single_bidder="award"), "negotiation or is void"),
    ],
)
def test_auction_rules_that_do_not_hold_together_are_refused(change, problem):
    config = copy.deepcopy(SUBASTA)
    change(config["auction"])
    problems = validate_procedure_config(config)
    assert any(problem in text for text in problems), problems


def test_an_auction_stage_needs_rules_and_rules_need_the_stage():
    without = {key: value for key, value in SUBASTA.items() if key != "auction"}
    assert validate_procedure_config(without) == [
        "a reverse auction needs its rules: duration, extension, maximum and decrement"
    ]
    stray = {**LICITACION, "auction": SUBASTA["auction"]}
    assert validate_procedure_config(stray) == ["auction rules are set for a procedure without an auction stage"]
    assert auction_problems(None) != []


@pytest.mark.parametrize(
    ("decrement", "reference", "highest"),
    [
        ({"kind": "percent", "value": "0.5"}, Decimal("100000.00"), Decimal("99500.00")),
        ({"kind": "percent", "value": "0.5"}, Decimal("104001.00"), Decimal("103480.99")),  # 520.005 → 520.01
        ({"kind": "percent", "value": "0.5"}, Decimal("1.00"), Decimal("0.99")),  # at least a cent
        ({"kind": "amount", "value": "250.00"}, Decimal("100000.00"), Decimal("99750.00")),
    ],
)
def test_the_decrement_is_a_percent_rounded_half_up_to_the_cent_or_an_amount(decrement, reference, highest):
    rules = auction_rules({**SUBASTA["auction"], "decrement": decrement})
    assert rules.highest_valid(reference) == highest
