"""The search's filters are served by PostgreSQL's indexes (migration 0009): the free text by the
GIN index on ``to_tsvector('simple', search_text)`` and the category and supplier keys by the one on
``keys``. With a handful of rows the planner would rightly scan the table (or walk the date index
for the page's order), so both are switched off for the statement: what is checked is that the SQL
matches the indexed expression, not the planner's choice (``search._page_rows`` makes that one)."""

from __future__ import annotations

import pytest
from django.db import connection

from procurement.transparency.search import SearchCriteria, process_queryset
from tests.procurement.transparency.search_world import build

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def plan(criteria: SearchCriteria) -> str:
    rows = process_queryset(criteria).order_by("-published_at", "-tender_id")[:50]
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(line for (line,) in cursor.fetchall())


@pytest.mark.parametrize(
    ("criteria", "index", "expression"),
    [
        (
            SearchCriteria(text="guantes quirúrgicos"),
            "public_process_text",
            "to_tsvector('simple'::regconfig, search_text)",
        ),
        (SearchCriteria(category="4321"), "public_process_keys", "to_tsvector('simple'::regconfig, keys)"),
        (SearchCriteria(supplier="20600000013"), "public_process_keys", "to_tsvector('simple'::regconfig, keys)"),
    ],
)
def test_text_and_keys_use_their_gin_index(clock, criteria, index, expression):
    build(clock)

    explained = plan(criteria)

    assert f"Bitmap Index Scan on {index}" in explained, explained
    assert expression in explained
