"""Which registry status may follow which. Pure data; the services enforce it."""

from __future__ import annotations

from smeregistry.enums import SupplierStatus as S

ALLOWED: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.ACTIVE, S.REJECTED}),
    S.ACTIVE: frozenset({S.EXPIRED, S.SUSPENDED}),
    S.SUSPENDED: frozenset({S.ACTIVE}),
    S.EXPIRED: frozenset({S.PENDING}),  # renewal after expiry is verified again
    S.REJECTED: frozenset({S.PENDING}),  # corrected and submitted again
}


def can_move(current: str, target: str) -> bool:
    return target in ALLOWED.get(current, frozenset())
