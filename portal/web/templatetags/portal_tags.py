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
