"""Size classification: pure functions over rules given as data (no ORM here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


class Rule(Protocol):
    size_class: str
    max_units: Decimal | None


@dataclass(frozen=True)
class Classification:
    size_class: str
    sales: Decimal
    unit_value: Decimal
    sales_in_units: Decimal


def classify(*, sales: Decimal, unit_value: Decimal, rules: Sequence[Rule]) -> Classification:
    """The first class (smallest bound first) whose bound in money is at least ``sales``.

    The comparison is done in money, ``sales <= max_units * unit_value``, so that exactly 150 UIT
    is micro and one sol more is small, with no rounding of a division in between.
    """
    if sales < 0:
        raise ValueError("annual sales cannot be negative")
    if unit_value <= 0:
        raise ValueError("the tax unit must be positive")
    ordered = sorted(rules, key=lambda rule: (rule.max_units is None, rule.max_units or Decimal(0)))
    if not ordered or ordered[-1].max_units is not None:
        raise ValueError("the rules must end with an unbounded class")
    for rule in ordered:
        if rule.max_units is None or sales <= rule.max_units * unit_value:
            return Classification(
                size_class=rule.size_class,
                sales=sales,
                unit_value=unit_value,
                sales_in_units=(sales / unit_value).quantize(Decimal("0.01")),
            )
    raise AssertionError("unreachable: the last rule is unbounded")


def category_prefixes(code: str) -> list[str]:
    """All the prefixes that contain a UNSPSC code, from segment down: 43211503 → 43, 4321, 432115, 43211503."""
    significant = significant_prefix(code)
    return [significant[:n] for n in (2, 4, 6, 8) if n <= len(significant)]


def significant_prefix(code: str) -> str:
    """43211500 → 432115; 43000000 → 43. Trailing pairs of zeros mark the level."""
    code = code.strip()
    if len(code) != 8 or not code.isdigit():
        raise ValueError(f"a UNSPSC code has 8 digits, not {code!r}")
    prefix = code
    while len(prefix) > 2 and prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


def covers(supplier_prefixes: Sequence[str], item_code: str) -> bool:
    """Whether a supplier registered for these category prefixes supplies ``item_code``.

    A supplier registered for a family covers every class and commodity under it; registered for a
    commodity, it covers that commodity and the class/family/segment asked about in general.
    """
    item = significant_prefix(item_code)
    return any(item.startswith(prefix) or prefix.startswith(item) for prefix in supplier_prefixes)
