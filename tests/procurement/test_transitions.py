"""Every tender transition, allowed and refused, for a full procedure and a short one."""

import itertools

import pytest

from procurement.enums import TenderStatus as S
from procurement.reference_data import PROCEDURE_TYPES_PE
from procurement.transitions import allowed_targets, can_move, following, path_for

FULL = next(p for p in PROCEDURE_TYPES_PE if p["code"] == "licitacion-publica")["config"]["stages"]
AUCTION = next(p for p in PROCEDURE_TYPES_PE if p["code"] == "subasta-inversa-electronica")["config"]["stages"]
SHORT = next(p for p in PROCEDURE_TYPES_PE if p["code"] == "comparacion-de-precios")["config"]["stages"]

EXPECTED_FULL = {
    S.DRAFT: {S.PUBLISHED},
    S.PUBLISHED: {S.ENQUIRIES, S.CANCELLED, S.ANNULLED},
    S.ENQUIRIES: {S.INTEGRATED_BASES, S.CANCELLED, S.ANNULLED},
    S.INTEGRATED_BASES: {S.BIDDING, S.CANCELLED, S.ANNULLED},
    S.BIDDING: {S.OPENING, S.CANCELLED, S.ANNULLED},
    S.OPENING: {S.EVALUATION, S.VOID, S.CANCELLED, S.ANNULLED},
    S.AUCTION: set(),  # a licitación has no auction: nothing leads there and nothing leaves it
    S.EVALUATION: {S.AWARDED, S.VOID, S.CANCELLED, S.ANNULLED},
    S.AWARDED: {S.APPEAL_WINDOW, S.CANCELLED, S.ANNULLED},
    S.APPEAL_WINDOW: {S.CONSENTED, S.EVALUATION, S.CANCELLED, S.ANNULLED},
    S.CONSENTED: {S.CONTRACTED, S.ANNULLED},
    S.CONTRACTED: {S.COMPLETED},
    S.COMPLETED: set(),
    S.VOID: set(),
    S.CANCELLED: set(),
    S.ANNULLED: set(),
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S.values, S.values)))
def test_every_pair_in_a_licitacion_publica(current, target):
    expected = target in EXPECTED_FULL[current] if current != S.AUCTION else False

    assert can_move(current, target, FULL) is expected


def test_the_paths_follow_each_procedures_stages():
    assert path_for(FULL) == [
        S.DRAFT, S.PUBLISHED, S.ENQUIRIES, S.INTEGRATED_BASES, S.BIDDING, S.OPENING, S.EVALUATION,
        S.AWARDED, S.APPEAL_WINDOW, S.CONSENTED, S.CONTRACTED, S.COMPLETED,
    ]  # fmt: skip
    assert path_for(SHORT) == [
        S.DRAFT,
        S.PUBLISHED,
        S.BIDDING,
        S.OPENING,
        S.EVALUATION,
        S.AWARDED,
        S.CONTRACTED,
        S.COMPLETED,
    ]
    assert following(S.OPENING, AUCTION) == S.AUCTION
    assert following(S.AUCTION, AUCTION) == S.EVALUATION


def test_a_short_procedure_skips_what_it_does_not_have():
    assert allowed_targets(S.PUBLISHED, SHORT) == {S.BIDDING, S.CANCELLED, S.ANNULLED}
    assert not can_move(S.PUBLISHED, S.ENQUIRIES, SHORT)
    # no appeal window: the award goes straight to the contract, and there is no "appeal upheld" way back
    assert allowed_targets(S.AWARDED, SHORT) == {S.CONTRACTED, S.CANCELLED, S.ANNULLED}


def test_an_auction_can_end_void_and_terminal_states_go_nowhere():
    assert can_move(S.AUCTION, S.VOID, AUCTION)
    for terminal in (S.COMPLETED, S.VOID, S.CANCELLED, S.ANNULLED):
        assert allowed_targets(terminal, AUCTION) == frozenset()
