"""Which status of a trade document may follow which: data, default-deny, no ORM."""

from tradedocs.enums import DocumentStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.VALID, S.INVALID}),
    S.VALID: frozenset({S.ACCEPTED, S.REJECTED}),
    S.INVALID: frozenset(),
    S.ACCEPTED: frozenset(),
    S.REJECTED: frozenset(),
}


def allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())
