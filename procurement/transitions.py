"""Which tender status may follow which: a table, default-deny, no ORM.

The regular path walks the procedure type's stages in order, skipping the statuses whose stage the
procedure does not have (a "comparación de precios" has no enquiries, no appeal window). Besides
the regular path:

- an upheld appeal sends the tender back from the appeal window to evaluation;
- **void** (desierto): when no valid bid remains — at opening, in an auction, at evaluation;
- **cancelled** by the entity, with a reason, until the award is consented;
- **annulled** by the oversight body, from publication until the award is consented.

Each transition is carried out by one service function, which also audits and notifies.
"""

from __future__ import annotations

from collections.abc import Iterable

from procurement.enums import Stage, TenderStatus

S = TenderStatus

# The regular path and, for each status, the stage that must exist for it to be visited.
PATH: list[tuple[str, str | None]] = [
    (S.DRAFT, None),
    (S.PUBLISHED, None),
    (S.ENQUIRIES, Stage.ENQUIRIES),
    (S.INTEGRATED_BASES, Stage.INTEGRATED_BASES),
    (S.BIDDING, Stage.BIDDING),
    (S.OPENING, Stage.OPENING),
    (S.AUCTION, Stage.AUCTION),
    (S.EVALUATION, Stage.EVALUATION),
    (S.AWARDED, Stage.AWARD),
    (S.APPEAL_WINDOW, Stage.APPEAL),
    (S.CONSENTED, Stage.CONSENT),
    (S.CONTRACTED, Stage.CONTRACT),
    (S.COMPLETED, None),
]

TERMINAL = frozenset({S.COMPLETED, S.VOID, S.CANCELLED, S.ANNULLED})
VOID_FROM = frozenset({S.OPENING, S.AUCTION, S.EVALUATION})
CANCEL_FROM = frozenset(
    {
        S.PUBLISHED,
        S.ENQUIRIES,
        S.INTEGRATED_BASES,
        S.BIDDING,
        S.OPENING,
        S.AUCTION,
        S.EVALUATION,
        S.AWARDED,
        S.APPEAL_WINDOW,
    }
)
ANNUL_FROM = CANCEL_FROM | {S.CONSENTED}
APPEAL_UPHELD = (S.APPEAL_WINDOW, S.EVALUATION)


def path_for(stages: Iterable[str]) -> list[str]:
    """The regular sequence of statuses of a procedure with these stages."""
    present = set(stages)
    return [status for status, stage in PATH if stage is None or stage in present]


def following(current: str, stages: Iterable[str]) -> str | None:
    """The next status on the regular path, or None at its end (or off it)."""
    path = path_for(stages)
    if current not in path:
        return None
    index = path.index(current)
    return path[index + 1] if index + 1 < len(path) else None


def allowed_targets(current: str, stages: Iterable[str]) -> frozenset[str]:
    stages = list(stages)
    if current not in path_for(stages):
        return frozenset()  # a status this procedure does not have leads nowhere
    targets: set[str] = set()
    nxt = following(current, stages)
    if nxt is not None:
        targets.add(nxt)
    if current in VOID_FROM:
        targets.add(S.VOID)
    if current in CANCEL_FROM:
        targets.add(S.CANCELLED)
    if current in ANNUL_FROM:
        targets.add(S.ANNULLED)
    if (current, S.EVALUATION) == APPEAL_UPHELD and Stage.APPEAL in stages:
        targets.add(S.EVALUATION)
    return frozenset(targets)


def can_move(current: str, target: str, stages: Iterable[str]) -> bool:
    """Whether ``target`` may follow ``current`` in a procedure with these stages."""
    return target in allowed_targets(current, stages)
