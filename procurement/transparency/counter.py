"""The visit counter of the public search page, as SEACE showed one.

A visit is one ``UPDATE … SET count = count + 1``: the database adds, so two visits at the same
moment both count (reading the number, adding one in Python and saving would lose one of them).
The first visit ever creates the row; two first visits racing are settled by the primary key, the
loser's INSERT fails inside its own savepoint and it falls back to the UPDATE.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from procurement.models import VisitCounter

SEARCH_PAGE = "transparency.search"


def counter_hit(*, key: str) -> None:
    """Count one visit to ``key``. Safe under any number of concurrent callers; never loses one."""
    if VisitCounter.objects.filter(key=key).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            VisitCounter.objects.create(key=key, count=1)
    except IntegrityError:  # another first visit created it in between: count on top of it
        VisitCounter.objects.filter(key=key).update(count=F("count") + 1)


def counter_get(*, key: str) -> VisitCounter | None:
    """The counter as it stands (its count and since when it counts); None before the first visit."""
    return VisitCounter.objects.filter(key=key).first()
