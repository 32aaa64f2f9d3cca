"""Reading the jurisdiction's rules (data) and classifying sizes with them.

The rules (policy, tax unit values, size classes) change a few times a year but are read on every
bid and every dashboard, so each process keeps them for REFERENCE_TTL seconds. A change saved in
this process clears its copy at once (signals in apps.py); other processes see it within the TTL.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from portal.core.errors import DomainError
from smeregistry.models import JurisdictionPolicy, SizeClassRule, TaxUnitValue
from smeregistry.sizing import Classification, classify

REFERENCE_TTL = 60.0


@dataclass(frozen=True)
class Reference:
    policy: JurisdictionPolicy | None
    units: tuple[TaxUnitValue, ...]  # newest fiscal year first
    rules: tuple[SizeClassRule, ...]


_cache: dict[str, tuple[float, Reference]] = {}
_lock = threading.Lock()


def reference_cache_clear(*args, **kwargs) -> None:
    """Forget the cached rules (connected to saves and deletes of the rule models)."""
    with _lock:
        _cache.clear()


def reference_for(jurisdiction: str) -> Reference:
    now = time.monotonic()
    cached = _cache.get(jurisdiction)
    if cached is not None and now - cached[0] < REFERENCE_TTL:
        return cached[1]
    reference = Reference(
        policy=JurisdictionPolicy.objects.filter(jurisdiction=jurisdiction).first(),
        units=tuple(TaxUnitValue.objects.filter(jurisdiction=jurisdiction).order_by("-fiscal_year")),
        rules=tuple(SizeClassRule.objects.filter(jurisdiction=jurisdiction)),
    )
    with _lock:
        _cache[jurisdiction] = (now, reference)
    return reference


def policy_for(jurisdiction: str = "PE") -> JurisdictionPolicy:
    policy = reference_for(jurisdiction).policy
    if policy is None:
        raise DomainError(
            _("No registry policy is configured for jurisdiction %(code)s.") % {"code": jurisdiction},
            code="no_policy",
        )
    return policy


def size_classify(*, jurisdiction: str, sales: Decimal, fiscal_year: int, on: date) -> tuple[Classification, dict]:
    """The size class for ``sales`` of ``fiscal_year``, with the rules in force ``on``.

    Uses the tax unit of that fiscal year (or the latest earlier one when the year's value is not
    loaded yet) and returns, besides the class, what it was computed from, for snapshots.
    """
    reference = reference_for(jurisdiction)
    unit = next((unit for unit in reference.units if unit.fiscal_year <= fiscal_year), None)
    rules = [
        rule for rule in reference.rules if rule.valid_from <= on and (rule.valid_to is None or rule.valid_to >= on)
    ]
    if unit is None or not rules:
        raise DomainError(
            _("The size of a business cannot be computed: the tax unit or the size rules are missing."),
            code="size_rules_missing",
        )
    classification = classify(sales=sales, unit_value=unit.value, rules=rules)
    basis = {
        "unit": unit.unit,
        "unit_year": unit.fiscal_year,
        "unit_value": str(unit.value),
        "sales": str(sales),
        "sales_fiscal_year": fiscal_year,
        "sales_in_units": str(classification.sales_in_units),
        "rules": {rule.size_class: (str(rule.max_units) if rule.max_units is not None else None) for rule in rules},
    }
    return classification, basis
