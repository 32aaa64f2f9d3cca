from django import template

from portal.accounts.enums import Role

register = template.Library()


@register.filter
def minutes(delta) -> int:
    """Whole minutes in a timedelta (at least 1)."""
    return max(1, round(delta.total_seconds() / 60)) if delta else 1


@register.filter
def role_label(code: str) -> str:
    """The translated name of a role code (``procurement_officer`` → "Procurement officer")."""
    try:
        return Role(code).label
    except ValueError:
        return code


@register.filter
def supplier_status_label(code: str) -> str:
    from smeregistry.enums import SupplierStatus

    try:
        return SupplierStatus(code).label
    except ValueError:
        return code


@register.filter
def money(value, currency: str = "PEN") -> str:
    """``{{ amount|money:currency }}`` → ``S/ 1,234.50``."""
    from portal.core.money import format_money

    if value in (None, ""):
        return ""
    return format_money(value, currency or "PEN")


@register.filter
def as_date(value):
    """A date carried as ISO text (notification contexts are JSON) back into a date, for |date."""
    from datetime import date

    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value
