"""Reading the jurisdiction's rules (data) and classifying sizes with them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from portal.core.errors import DomainError
from smeregistry.models import JurisdictionPolicy, SizeClassRule, TaxUnitValue
from smeregistry.sizing import Classification, classify


def policy_for(jurisdiction: str = "PE") -> JurisdictionPolicy:
    try:
        return JurisdictionPolicy.objects.get(jurisdiction=jurisdiction)
    except JurisdictionPolicy.DoesNotExist:
        raise DomainError(
            _("No registry policy is configured for jurisdiction %(code)s.") % {"code": jurisdiction},
            code="no_policy",
        ) from None


def size_classify(*, jurisdiction: str, sales: Decimal, fiscal_year: int, on: date) -> tuple[Classification, dict]:
    """The size class for ``sales`` of ``fiscal_year``, with the rules in force ``on``.

    Uses the tax unit of that fiscal year (or the latest earlier one when the year's value is not
    loaded yet) and returns, besides the class, what it was computed from, for snapshots.
    """
    unit = (
        TaxUnitValue.objects.filter(jurisdiction=jurisdiction, fiscal_year__lte=fiscal_year)
        .order_by("-fiscal_year")
        .first()
    )
    rules = list(
        SizeClassRule.objects.filter(jurisdiction=jurisdiction, valid_from__lte=on).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )
    )
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
