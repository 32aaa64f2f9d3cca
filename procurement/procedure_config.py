"""Validation of a procedure type's configuration: pure, so that rows are checked when loaded.

Procedure types differ mainly in which stages exist, their minimum durations, value thresholds,
the minimum number of bids and the appeal window (DOMAIN.md §2). They are rows, not classes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from procurement.auction.rules import auction_problems
from procurement.enums import DayUnit, EvaluationMethod, ProcurementObject, Stage
from procurement.scoring import LOTTERY, LOWEST_PRICE, MYPE_FIRST, EvaluationRules

# How a lot is scored when the procedure type does not say otherwise (its optional ``scoring`` key
# overrides any of these). Peru: the lowest price gets 100 points; ties go to the micro or small
# enterprise, then to a public draw.
DEFAULT_SCORING: dict[str, dict[str, Any]] = {
    EvaluationMethod.PRICE_ONLY: {"max_price_points": "100", "tie_rules": [MYPE_FIRST, LOTTERY]},
    EvaluationMethod.WEIGHTED: {
        "max_price_points": "100",
        "max_technical_points": "100",
        "technical_weight": "0.30",
        "economic_weight": "0.70",
        "min_technical": "60",
        "tie_rules": [LOWEST_PRICE, MYPE_FIRST, LOTTERY],
    },
}

STAGE_ORDER = list(Stage.values)
REQUIRED_STAGES = {Stage.BIDDING, Stage.EVALUATION, Stage.AWARD}


def validate_procedure_config(config: dict[str, Any]) -> list[str]:
    """Every problem with a configuration, in plain words; empty when it is valid."""
    stages = list(config.get("stages") or [])
    return [
        *_stage_problems(stages),
        *_duration_problems(config.get("min_durations") or {}, stages),
        *_value_problems(config),
        *_rule_problems(config, stages),
        *_scoring_problems(config),
    ]


def scoring_rules(config: dict[str, Any]) -> EvaluationRules:
    """The evaluation rules of a procedure type: its method, the defaults, its ``scoring`` overrides.
    Raises ValueError or TypeError for rules that do not hold together."""
    method = config.get("evaluation")
    values = {**DEFAULT_SCORING.get(method, {}), **(config.get("scoring") or {})}
    decimals = {
        key: Decimal(str(value))
        for key, value in values.items()
        if key in {"max_price_points", "max_technical_points", "technical_weight", "economic_weight", "min_technical"}
        and value is not None
    }
    return EvaluationRules(method=method, tie_rules=tuple(values.get("tie_rules") or ()), **decimals)


def _scoring_problems(config: dict[str, Any]) -> list[str]:
    if config.get("evaluation") not in EvaluationMethod.values:
        return []  # said already
    scoring = config.get("scoring")
    if scoring is not None and not isinstance(scoring, dict):
        return ["scoring must be a set of named values"]
    technical = {"max_technical_points", "min_technical", "technical_weight", "economic_weight"}
    if config.get("evaluation") == EvaluationMethod.PRICE_ONLY and technical & {
        key for key, value in (scoring or {}).items() if value is not None
    }:
        # The committee gives no technical points in a price-only evaluation: a minimum could never be met.
        return ["scoring: a price-only evaluation has no technical points, minimum or weights"]
    try:
        scoring_rules(config)
    except (ArithmeticError, TypeError, ValueError) as error:
        return [f"scoring: {error}"]
    return []


def _stage_problems(stages: list[str]) -> list[str]:
    problems = []
    unknown = [stage for stage in stages if stage not in STAGE_ORDER]
    if unknown:
        problems.append(f"unknown stages: {', '.join(unknown)}")
    known = [stage for stage in stages if stage in STAGE_ORDER]
    if known != sorted(known, key=STAGE_ORDER.index):
        problems.append("stages are out of order")
    if len(set(stages)) != len(stages):
        problems.append("a stage is listed twice")
    missing = REQUIRED_STAGES - set(stages)
    if missing:
        problems.append(f"missing required stages: {', '.join(sorted(missing))}")
    if Stage.INTEGRATED_BASES in stages and Stage.ENQUIRIES not in stages:
        problems.append("integrated bases need an enquiries stage before them")
    if Stage.CONSENT in stages and Stage.APPEAL not in stages:
        problems.append("consent follows an appeal window")
    return problems


def _duration_problems(durations: dict[str, Any], stages: list[str]) -> list[str]:
    problems = []
    for stage, rule in durations.items():
        if stage not in stages:
            problems.append(f"a minimum duration is set for {stage}, which the procedure does not have")
        if not isinstance(rule, dict) or rule.get("unit") not in DayUnit.values:
            problems.append(f"the duration of {stage} needs a unit: calendar or working")
        elif not isinstance(rule.get("days"), int) or rule["days"] < 0:
            problems.append(f"the duration of {stage} must be a whole number of days, zero or more")
    return problems


def _value_problems(config: dict[str, Any]) -> list[str]:
    problems = []
    objects = config.get("objects") or []
    if not objects or any(obj not in ProcurementObject.values for obj in objects):
        problems.append("objects must be chosen among goods, services, works, consulting")
    try:
        low, high = (
            Decimal(str(value)) if value is not None else None
            for value in (config.get("value_min"), config.get("value_max"))
        )
    except ArithmeticError:
        return [*problems, "value thresholds must be amounts"]
    if any(value is not None and value < 0 for value in (low, high)):
        problems.append("value thresholds cannot be negative")
    if low is not None and high is not None and low > high:
        problems.append("the minimum value is above the maximum")
    return problems


def _rule_problems(config: dict[str, Any], stages: list[str]) -> list[str]:
    problems = []
    min_bids = config.get("min_bids")
    if not isinstance(min_bids, int) or min_bids < 1:
        problems.append("the minimum number of bids is a whole number, 1 or more")
    appeal = config.get("appeal_window") or {}
    appeal_days = appeal.get("days")
    if Stage.APPEAL in stages and (
        appeal.get("unit") not in DayUnit.values or not isinstance(appeal_days, int) or appeal_days < 1
    ):
        problems.append("a procedure with appeals needs an appeal window of 1 day or more, calendar or working")
    if config.get("evaluation") not in EvaluationMethod.values:
        problems.append("evaluation must be price_only or weighted")
    if Stage.AUCTION in stages and config.get("evaluation") != EvaluationMethod.PRICE_ONLY:
        problems.append("a reverse auction is evaluated on price only")
    if Stage.AUCTION in stages:
        problems.extend(auction_problems(config.get("auction")))
    elif config.get("auction") is not None:
        problems.append("auction rules are set for a procedure without an auction stage")
    return problems
