from django import template

from portal.accounts.enums import Role

register = template.Library()


@register.filter
def role_label(code: str) -> str:
    """The translated name of a role code (``procurement_officer`` → "Procurement officer")."""
    try:
        return Role(code).label
    except ValueError:
        return code
