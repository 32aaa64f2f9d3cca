"""The visit counter: one atomic UPDATE per visit, the row created by the first, and no visit lost
when many come at once (PostgreSQL, real threads and connections)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from procurement.models import VisitCounter
from procurement.transparency.counter import counter_get, counter_hit


@pytest.mark.django_db
def test_the_first_visit_creates_the_row_and_the_next_ones_add():
    assert counter_get(key="page") is None

    for _ in range(3):
        counter_hit(key="page")
    counter_hit(key="other")

    assert dict(VisitCounter.objects.values_list("key", "count")) == {"page": 3, "other": 1}


@pytest.mark.django_db
def test_a_visit_is_one_update_once_the_row_exists(django_assert_num_queries):
    counter_hit(key="page")

    with django_assert_num_queries(1):
        counter_hit(key="page")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("existing", [False, True], ids=["first-visits-race", "row-exists"])
def test_concurrent_visits_are_all_counted(existing):
    """20 threads × 25 visits, released together; with ``existing`` False they also race to create
    the row. Every visit counts: 500."""
    if existing:
        counter_hit(key="race")
    threads, visits = 20, 25
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def visitor():
        try:
            start.wait()
            for _ in range(visits):
                counter_hit(key="race")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=visitor) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert VisitCounter.objects.get(key="race").count == threads * visits + (1 if existing else 0)
