"""Which status of a negotiable document may follow which: data, default-deny, no ORM."""

from tradedocs.factoring.enums import ReceivableStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEGOTIABLE: frozenset({S.SELECTED, S.WITHDRAWN, S.NOT_NEGOTIABLE, S.EXPIRED, S.PAID_WITHOUT_OPERATING}),
    # A selection the institution refuses (or the supplier cancels) makes the document negotiable again.
    S.SELECTED: frozenset(
        {S.OPERATED, S.NEGOTIABLE, S.WITHDRAWN, S.NOT_NEGOTIABLE, S.EXPIRED, S.PAID_WITHOUT_OPERATING}
    ),
    S.OPERATED: frozenset({S.SETTLED, S.OVERDUE}),
    S.OVERDUE: frozenset({S.SETTLED}),
    # A dispute resolved in the supplier's favour puts the document back on the market.
    S.NOT_NEGOTIABLE: frozenset({S.NEGOTIABLE, S.WITHDRAWN, S.EXPIRED, S.PAID_WITHOUT_OPERATING}),
    S.SETTLED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.EXPIRED: frozenset(),
    S.PAID_WITHOUT_OPERATING: frozenset(),
}


def allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())
