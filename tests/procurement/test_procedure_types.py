"""Procedure types are configuration rows, checked when they are loaded or saved."""

import copy

import pytest
from django.core.exceptions import ValidationError

from procurement.models import Holiday, ProcedureType
from procurement.procedure_config import validate_procedure_config
from procurement.reference_data import PROCEDURE_TYPES_PE

pytestmark = pytest.mark.django_db

VALID = copy.deepcopy(PROCEDURE_TYPES_PE[0]["config"])


def test_peru_procedure_types_and_holidays_are_loaded():
    assert sorted(ProcedureType.objects.filter(jurisdiction="PE").values_list("code", flat=True)) == [
        "adjudicacion-simplificada",
        "comparacion-de-precios",
        "concurso-publico",
        "contratacion-directa",
        "licitacion-publica",
        "subasta-inversa-electronica",
    ]
    auction = ProcedureType.objects.get(code="subasta-inversa-electronica")
    assert "auction" in auction.config["stages"]
    assert auction.config["evaluation"] == "price_only"
    assert Holiday.objects.filter(jurisdiction="PE", day__year=2026).count() == 16


@pytest.mark.parametrize("row", PROCEDURE_TYPES_PE, ids=lambda row: row["code"])
def test_every_shipped_configuration_is_valid(row):
    assert validate_procedure_config(row["config"]) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda c: c.update(stages=["bidding", "enquiries", "evaluation", "award"]), "stages are out of order"),
        (lambda c: c.update(stages=[*c["stages"], "lottery"]), "unknown stages: lottery"),
        (lambda c: c.update(stages=["enquiries", "bidding", "award"]), "missing required stages: evaluation"),
        (
            lambda c: c.update(stages=["integrated_bases", "bidding", "evaluation", "award"], min_durations={}),
            "integrated bases need an enquiries stage",
        ),
        (lambda c: c["stages"].remove("appeal"), "consent follows an appeal window"),
        (lambda c: c["min_durations"].update(bidding={"days": 22, "unit": "business"}), "needs a unit"),
        (lambda c: c["min_durations"].update(bidding={"days": -1, "unit": "working"}), "zero or more"),
        (lambda c: c["min_durations"].update(auction={"days": 1, "unit": "working"}), "does not have"),
        (lambda c: c.update(objects=["weapons"]), "objects must be chosen"),
        (lambda c: c.update(value_min="500", value_max="100"), "minimum value is above the maximum"),
        (lambda c: c.update(value_min="-1"), "cannot be negative"),
        (lambda c: c.update(value_min="mucho"), "must be amounts"),
        (lambda c: c.update(min_bids=0), "minimum number of bids"),
        (lambda c: c.update(appeal_window={}), "appeal window of 1 day or more"),
        (lambda c: c.update(evaluation="lottery"), "evaluation must be"),
        (lambda c: c["stages"].insert(4, "auction"), "a reverse auction is evaluated on price only"),
        (lambda c: c.update(scoring="high"), "scoring must be a set of named values"),
        (lambda c: c.update(scoring={"technical_weight": "0.5", "economic_weight": "0.6"}), "scoring:"),
        (lambda c: c.update(scoring={"tie_rules": ["coin_toss"]}), "scoring:"),
        (
            lambda c: c.update(evaluation="price_only", scoring={"min_technical": "60"}),
            "a price-only evaluation has no technical points",
        ),
    ],
)
def test_invalid_configurations_are_named(change, problem):
    config = copy.deepcopy(VALID)
    change(config)

    problems = validate_procedure_config(config)

    assert any(problem in found for found in problems), problems


def test_an_invalid_procedure_type_is_never_stored():
    config = copy.deepcopy(VALID)
    config["min_bids"] = 0

    with pytest.raises(ValidationError) as refused:
        ProcedureType.objects.create(jurisdiction="PE", code="rota", name="Rota", config=config)

    assert "minimum number of bids" in str(refused.value)
    assert not ProcedureType.objects.filter(code="rota").exists()
