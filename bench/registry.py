"""Supplier registry at national scale: search, eligibility and the quota dashboards.

Builds, in a scratch PostgreSQL database, 100,000 suppliers (with their organisations, 1–3 UNSPSC
categories each over the 25 regions, mixed sizes, ~2 % sanctioned) and 1,000,000 awards over
300 entities and 12 months, with their QuotaMonth totals built by one INSERT … SELECT … GROUP BY.
Then times, in the same run and with the same arguments, each service against the bare SQL it
needs (through the same connection), after a warm-up:

a. ``supplier_search`` by category and region, first page of 50, vs its own SQL on a cursor;
b. ``eligibility_check`` for a supplier and a lot (in a transaction, rolled back) vs the reads it needs;
c. ``quota_summary`` for one entity and for the nation (and the national entity table) vs the bare
   aggregate over QuotaMonth, and the raw GROUP BY over the awards for comparison.

Targets: p95 under 100 ms and a median ratio to bare SQL under 3.
``.venv/bin/python bench/registry.py`` (``BENCH_KEEP=1`` keeps the database for EXPLAIN).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_registry")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import drop_database, percentiles, report, setup_django, timer

SUPPLIERS = 100_000
ENTITIES = 300
AWARDS = 1_000_000
YEAR = 2025
REPS = 200
WARMUP = 20
TARGET_P95_MS = 100
TARGET_RATIO = 3


def build() -> dict:
    """Everything with INSERT … SELECT over generate_series: the database builds the rows itself."""
    from django.db import connection

    from portal.accounts.models import Organisation
    from smeregistry.models import (
        AwardFact,
        QuotaMonth,
        Region,
        Sanction,
        Supplier,
        SupplierCategory,
        UnspscCategory,
    )

    org, sup, cat, link = (
        Organisation._meta.db_table,
        Supplier._meta.db_table,
        UnspscCategory._meta.db_table,
        SupplierCategory._meta.db_table,
    )
    sanction, fact, month, region = (
        Sanction._meta.db_table,
        AwardFact._meta.db_table,
        QuotaMonth._meta.db_table,
        Region._meta.db_table,
    )
    timings = {}
    with connection.cursor() as cursor:
        with timer() as t:
            cursor.execute(
                f"""INSERT INTO {org} (kind, name, tax_id, country, is_active, created_at)
                SELECT 'supplier', 'Proveedor ' || i, '20' || lpad(i::text, 9, '0'), 'PE', true, now()
                FROM generate_series(1, %s) AS i""",
                [SUPPLIERS],
            )
            # Sizes: 60 % micro, 25 % small, 5 % medium, 10 % large (sales consistent with the class).
            cursor.execute(
                f"""INSERT INTO {sup} (organisation_id, jurisdiction, ruc, legal_name, trade_name, address, region_id,
                    district_ubigeo, phone, email, representative_name, representative_document, goods, services,
                    works_consulting, works_execution, annual_sales, sales_fiscal_year, employees, size_class,
                    status, status_reason, valid_from, valid_until, registered_at, updated_at)
                SELECT o.id, 'PE', o.tax_id, 'Empresa ' || upper(substr(md5(o.id::text), 1, 10)) || ' S.A.C.', '',
                    'Av. Principal ' || o.id, r.ids[1 + o.id % 25], '', '', 'v' || o.id || '@bench.pe',
                    'Representante ' || o.id, lpad((o.id % 99999999)::text, 8, '0'),
                    o.id % 4 <> 3, o.id % 4 = 3, false, false,
                    CASE WHEN h < 60 THEN 300000 + o.id % 400000 WHEN h < 85 THEN 2000000 + o.id % 5000000
                         WHEN h < 90 THEN 10000000 WHEN h >= 90 THEN 50000000 END,
                    2025, 1 + o.id % 200,
                    CASE WHEN h < 60 THEN 'micro' WHEN h < 85 THEN 'small' WHEN h < 90 THEN 'medium' ELSE 'large' END,
                    CASE WHEN o.id % 20 = 0 THEN 'expired' ELSE 'active' END, '',
                    current_date - 100, current_date + 265, now(), now()
                FROM (SELECT id, tax_id, (hashtext(id::text) & 2147483647) % 100 AS h FROM {org}
                      WHERE kind = 'supplier') AS o,
                     (SELECT array_agg(id ORDER BY code) AS ids FROM {region} WHERE country = 'PE') AS r"""
            )
            cursor.execute(
                f"""INSERT INTO {link} (supplier_id, category_id, prefix)
                SELECT DISTINCT ON (s.id, c.ids[1 + (s.id * 7 + k * 13) % c.n])
                       s.id, c.ids[1 + (s.id * 7 + k * 13) % c.n], c.prefixes[1 + (s.id * 7 + k * 13) % c.n]
                FROM {sup} AS s
                CROSS JOIN (SELECT array_agg(id ORDER BY code) AS ids, array_agg(prefix ORDER BY code) AS prefixes,
                                   count(*) AS n FROM {cat}) AS c
                CROSS JOIN LATERAL generate_series(1, 1 + s.id % 3) AS k"""
            )
            cursor.execute(
                f"""INSERT INTO {sanction} (supplier_id, starts_on, ends_on, reason, source, recorded_at)
                SELECT id, current_date - 30, CASE WHEN id % 2 = 0 THEN NULL ELSE current_date + 300 END,
                       'Bench', 'Res. ' || id, now()
                FROM {sup} WHERE id % 50 = 0"""
            )
        timings["suppliers_s"] = round(t["seconds"], 1)
        with timer() as t:
            cursor.execute(
                f"""INSERT INTO {org} (kind, name, tax_id, country, is_active, created_at)
                SELECT 'entity', 'Entidad ' || i, '2060' || lpad(i::text, 7, '0'), 'PE', true, now()
                FROM generate_series(1, %s) AS i""",
                [ENTITIES],
            )
            # Entity and month are independent of each other; ~60 % of awards go to MYPE.
            cursor.execute(
                f"""INSERT INTO {fact} (source, jurisdiction, entity_id, supplier_id, size_class, is_mype, amount,
                    currency, amount_local, awarded_on, fiscal_year, month, title, url)
                SELECT 'B-' || i, 'PE', e.ids[1 + mod(i, e.n)], s.first + mod(i::bigint * 7919, s.n),
                       CASE WHEN mod(i, 5) < 3 THEN 'micro' ELSE 'large' END, mod(i, 5) < 3,
                       (1000 + mod(i * 37, 500000))::numeric, 'PEN', (1000 + mod(i * 37, 500000))::numeric,
                       make_date(%s, 1 + mod(i / %s, 12)::int, 1 + mod(i, 28)::int), %s, 1 + mod(i / %s, 12), '', ''
                FROM generate_series(1, %s) AS i,
                     (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM {org} WHERE kind = 'entity') AS e,
                     (SELECT min(id) AS first, count(*) AS n FROM {sup}) AS s""",
                [YEAR, ENTITIES, YEAR, ENTITIES, AWARDS],
            )
        timings["awards_s"] = round(t["seconds"], 1)
        with timer() as t:
            cursor.execute(
                f"""INSERT INTO {month} (jurisdiction, entity_id, fiscal_year, month, total_amount, total_count,
                    mype_amount, mype_count)
                SELECT jurisdiction, entity_id, fiscal_year, month, sum(amount_local), count(*),
                       coalesce(sum(amount_local) FILTER (WHERE is_mype), 0), count(*) FILTER (WHERE is_mype)
                FROM {fact} GROUP BY jurisdiction, entity_id, fiscal_year, month"""
            )
        timings["quota_months_s"] = round(t["seconds"], 1)
        with timer() as t:
            # VACUUM as well: autovacuum would have set the visibility map, which index-only scans need.
            cursor.execute("VACUUM ANALYZE")
        timings["analyze_s"] = round(t["seconds"], 1)
        counts = {}
        for name, table in (
            ("suppliers", sup),
            ("supplier_categories", link),
            ("sanctions", sanction),
            ("award_facts", fact),
            ("quota_months", month),
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[name] = cursor.fetchone()[0]
    return {"build": timings, "rows": counts}


def measure(fn, *, reps: int = REPS, warmup: int = WARMUP) -> dict:
    for i in range(warmup):
        fn(i)
    samples = []
    for i in range(reps):
        start = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - start)
    return percentiles(samples)


def compare(name: str, orm, bare, *, reps: int = REPS) -> dict:
    # Interleave nothing, but run both in the same process, connection and data, one after the other.
    a, b = measure(orm, reps=reps), measure(bare, reps=reps)
    result = {
        "service": a,
        "bare_sql": b,
        "ratio_median": round(a["median_ms"] / b["median_ms"], 2),
        "ratio_p95": round(a["p95_ms"] / b["p95_ms"], 2),
    }
    result["meets_targets"] = a["p95_ms"] < TARGET_P95_MS and result["ratio_median"] < TARGET_RATIO
    print(f"{name}: {result}", file=sys.stderr)
    return result


def bench_search(regions: list[str]) -> dict:
    from django.db import connection

    from smeregistry.selectors import supplier_search

    category = "43210000"  # a family: matches its classes and the segment 43

    def orm(i):
        rows = list(supplier_search(category_code=category, region_code=regions[i % 25])[:50])
        assert rows  # noqa: S101 - the benchmark must measure real work

    def bare(i):
        # The same statement the ORM sends, with its parameters, on a plain cursor.
        sql, params = supplier_search(category_code=category, region_code=regions[i % 25])[:50].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            assert cursor.fetchall()  # noqa: S101

    # Building the SQL costs the bare side too; time it apart so the ratio is not flattered.
    sqls = [supplier_search(category_code=category, region_code=r)[:50].query.sql_with_params() for r in regions]

    def bare_prepared(i):
        sql, params = sqls[i % 25]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            assert cursor.fetchall()  # noqa: S101

    result = compare("search", orm, bare_prepared)
    result["bare_sql_including_compile"] = measure(bare)
    return result


def bench_eligibility(supplier_ids: list[int], codes: dict[int, str]) -> dict:
    from django.db import connection, transaction

    from smeregistry.enums import SupplierStatus
    from smeregistry.models import (
        JurisdictionPolicy,
        Sanction,
        SizeClassRule,
        Supplier,
        SupplierCategory,
        TaxUnitValue,
    )
    from smeregistry.services.eligibility import LotRequirements, eligibility_check

    suppliers = list(Supplier.objects.filter(pk__in=supplier_ids, status=SupplierStatus.ACTIVE))

    def lot(i):
        supplier = suppliers[i % len(suppliers)]
        return supplier, LotRequirements(
            reference=f"B-{i}", unspsc_codes=(codes[supplier.pk],), register="goods", mype_reserved=True
        )

    def orm(i):
        supplier, requirements = lot(i)
        with transaction.atomic():
            eligibility_check(party=supplier, lot=requirements)
            transaction.set_rollback(True)

    policy, sup, link, sanction = (
        JurisdictionPolicy._meta.db_table,
        Supplier._meta.db_table,
        SupplierCategory._meta.db_table,
        Sanction._meta.db_table,
    )
    unit, rule = TaxUnitValue._meta.db_table, SizeClassRule._meta.db_table

    def bare(i):
        supplier, _requirements = lot(i)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {policy} WHERE jurisdiction = %s", ["PE"])
            cursor.fetchall()
            cursor.execute(f"SELECT * FROM {sup} WHERE id = %s", [supplier.pk])
            cursor.fetchall()
            cursor.execute(f"SELECT prefix FROM {link} WHERE supplier_id = %s", [supplier.pk])
            cursor.fetchall()
            cursor.execute(
                f"SELECT * FROM {sanction} WHERE supplier_id = ANY(%s) AND starts_on <= current_date "
                "AND (ends_on IS NULL OR ends_on >= current_date)",
                [[supplier.pk]],
            )
            cursor.fetchall()
            cursor.execute(
                f"SELECT * FROM {unit} WHERE jurisdiction = %s AND fiscal_year <= %s ORDER BY fiscal_year DESC LIMIT 1",
                ["PE", supplier.sales_fiscal_year],
            )
            cursor.fetchall()
            cursor.execute(
                f"SELECT * FROM {rule} WHERE jurisdiction = %s AND valid_from <= current_date "
                "AND (valid_to IS NULL OR valid_to >= current_date)",
                ["PE"],
            )
            cursor.fetchall()
            transaction.set_rollback(True)

    from smeregistry.models import EligibilityRecord

    record = EligibilityRecord._meta.db_table

    def bare_with_insert(i):
        # Like for like: the reads plus the one INSERT of the record (the service stores its answer).
        supplier, requirements = lot(i)
        with transaction.atomic():
            bare(i)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {record} (purpose, checked_at, supplier_id, party_label, lot_reference, "
                    "requirements, eligible, reasons, size_class, is_mype, snapshot, checked_by) "
                    "VALUES ('check', now(), %s, %s, %s, '{}', true, '[]', 'micro', true, '{}', 'system')",
                    [supplier.pk, supplier.legal_name, requirements.reference],
                )
            transaction.set_rollback(True)

    result = compare("eligibility", orm, bare)
    result["bare_sql_reads_and_insert"] = measure(bare_with_insert)
    return result


def bench_quotas(entity_ids: list[int]) -> dict:
    from django.db import connection

    from smeregistry.models import AwardFact, QuotaMonth
    from smeregistry.services.quotas import quota_by_entity, quota_summary

    month, fact = QuotaMonth._meta.db_table, AwardFact._meta.db_table
    sums = "sum(total_amount), sum(total_count), sum(mype_amount), sum(mype_count)"
    results = {}

    def orm_entity(i):
        summary = quota_summary(fiscal_year=YEAR, entity=entity_ids[i % len(entity_ids)])
        assert summary.total.total_count  # noqa: S101

    def bare_entity(i):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT month, {sums} FROM {month} WHERE jurisdiction = 'PE' AND fiscal_year = %s "
                "AND entity_id = %s GROUP BY month",
                [YEAR, entity_ids[i % len(entity_ids)]],
            )
            assert cursor.fetchall()  # noqa: S101

    def raw_facts_entity(i):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT month, sum(amount_local), count(*), sum(amount_local) FILTER (WHERE is_mype), "
                f"count(*) FILTER (WHERE is_mype) FROM {fact} WHERE fiscal_year = %s AND entity_id = %s "
                "GROUP BY month",
                [YEAR, entity_ids[i % len(entity_ids)]],
            )
            assert cursor.fetchall()  # noqa: S101

    def bare_entity_with_policy(i):
        # Like for like: the service also reads the target and amber ratio (policy as data).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT quota_target_percent, quota_amber_ratio, currency FROM smeregistry_jurisdictionpolicy "
                "WHERE jurisdiction = 'PE'"
            )
            cursor.fetchall()
        bare_entity(i)

    results["entity"] = compare("quota entity", orm_entity, bare_entity)
    results["entity"]["bare_sql_with_policy_read"] = measure(bare_entity_with_policy)
    results["entity"]["raw_group_by_award_facts"] = measure(raw_facts_entity)

    def orm_national(i):
        assert quota_summary(fiscal_year=YEAR).total.total_count == AWARDS  # noqa: S101

    def bare_national(i):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT month, {sums} FROM {month} WHERE jurisdiction = 'PE' AND fiscal_year = %s GROUP BY month",
                [YEAR],
            )
            assert cursor.fetchall()  # noqa: S101

    def raw_facts_national(i):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT month, sum(amount_local), count(*), sum(amount_local) FILTER (WHERE is_mype), "
                f"count(*) FILTER (WHERE is_mype) FROM {fact} WHERE jurisdiction = 'PE' AND fiscal_year = %s "
                "GROUP BY month",
                [YEAR],
            )
            assert cursor.fetchall()  # noqa: S101

    results["national"] = compare("quota national", orm_national, bare_national)
    # A full scan of a million rows takes a good part of a second: fewer repetitions keep the run short.
    results["national"]["raw_group_by_award_facts"] = measure(raw_facts_national, reps=30, warmup=3)

    def orm_table(i):
        assert len(quota_by_entity(fiscal_year=YEAR)) == ENTITIES  # noqa: S101

    def bare_table(i):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT q.entity_id, o.name, {sums} FROM {month} q JOIN accounts_organisation o "
                "ON o.id = q.entity_id WHERE q.jurisdiction = 'PE' AND q.fiscal_year = %s "
                "GROUP BY q.entity_id, o.name ORDER BY o.name, q.entity_id",
                [YEAR],
            )
            assert len(cursor.fetchall()) == ENTITIES  # noqa: S101

    results["national_entity_table"] = compare("quota entity table", orm_table, bare_table)
    return results


def main() -> None:
    started = time.perf_counter()
    setup_django()
    from django.db import connection

    from smeregistry.models import Region, Supplier, SupplierCategory, UnspscCategory

    results: dict = {
        "database": connection.vendor,
        "server_version": connection.cursor().connection.info.server_version,
    }
    results.update(build())
    regions = list(Region.objects.filter(country="PE").order_by("code").values_list("code", flat=True))
    prefixes = dict(UnspscCategory.objects.values_list("prefix", "code"))
    sample = list(
        Supplier.objects.filter(status="active", goods=True).order_by("pk").values_list("pk", flat=True)[:200]
    )
    codes = {}
    for supplier_id, prefix in SupplierCategory.objects.filter(supplier_id__in=sample).values_list(
        "supplier_id", "prefix"
    ):
        codes.setdefault(supplier_id, prefixes[prefix])
    from portal.accounts.models import Organisation

    entity_ids = list(Organisation.objects.filter(kind="entity").order_by("pk").values_list("pk", flat=True))
    results["reps"] = REPS
    results["search_by_category_and_region"] = bench_search(regions)
    results["eligibility_check"] = bench_eligibility(sample, codes)
    results["quota_dashboard"] = bench_quotas(entity_ids)
    results["total_run_s"] = round(time.perf_counter() - started, 1)
    if os.environ.get("BENCH_KEEP") != "1":
        drop_database()
    report("registry", results)


if __name__ == "__main__":
    main()
