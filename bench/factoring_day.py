"""NAFIN's daily volume through the reverse-factoring services, against the same ledger rows bare.

In a scratch PostgreSQL database: a buyer (a contracting entity) opens a chain under a programme (cap 7
points, actual/360); ``FX_SUPPLIERS`` (default 200) suppliers registered and verified in the registry,
invited, joined, with verified bank accounts; three institutions admitted without limits, each with an
offer. ``DOCS`` (default 10,000) payables confirmed by the buyer are inserted in bulk (set-up, not timed).

a. **services**: each document goes through ``financing_select`` (the supplier's representative, at the
   next institution in turn), ``financing_operate`` (the institution's officer) and ``financing_settle``
   (the buyer's officer), one after the other in one process, as the API's views call them: row locks,
   the default-deny table, the ledger (8 rows to operate, 4 to settle), audit events, notifications.
   Timed per step and per operation (the three together).
b. **bare**: the same number of ledger rows (12 per operation) inserted into ``tradedocs_ledgerentry``
   with psycopg on its own connection: ``executemany`` (one statement, pipelined) and ``COPY``, each
   committed once, then removed.

The day's volume is the goal: under 60 seconds. ``.venv/bin/python bench/factoring_day.py``
(``DOCS``, ``FX_SUPPLIERS``, ``BENCH_KEEP=1`` keeps the database).
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_factoring")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from harness import DATABASE_URL, drop_database, percentiles, report, setup_django, timer

COUNT = int(os.environ.get("DOCS", "10000"))
SUPPLIERS = int(os.environ.get("FX_SUPPLIERS", "200"))
LEDGER_ROWS_PER_OPERATION = 12
GOAL_SECONDS = 60


def world():
    """The chain, its suppliers (with the person who speaks for each), institutions and offers."""
    from procurement_world import person

    from portal.accounts.enums import OrganisationKind, Role
    from portal.accounts.services import membership_grant, organisation_create
    from smeregistry.services.suppliers import SupplierData, supplier_register, supplier_verify
    from tests.factories import valid_ruc
    from tradedocs.factoring import services
    from tradedocs.factoring.enums import DayCount
    from tradedocs.factoring.models import Programme

    operator_org = organisation_create(
        actor=None, kind=OrganisationKind.PLATFORM_OPERATOR, name="Operador", tax_id=valid_ruc(1)
    )
    operator = person("operador")
    membership_grant(actor=None, organisation=operator_org, user=operator, role=Role.REVIEWER)
    buyer = organisation_create(
        actor=None, kind=OrganisationKind.CONTRACTING_ENTITY, name="Ministerio de Salud", tax_id=valid_ruc(2)
    )
    officer = person("oficial")
    membership_grant(actor=None, organisation=buyer, user=officer, role=Role.PROCUREMENT_OFFICER)
    programme = Programme.objects.create(code="nafin-bench", name="Cadenas Productivas", day_count=DayCount.ACT_360)
    chain = services.chain_open(actor=officer, buyer=buyer, programme=programme, name="Cadena Minsa")

    institutions = []
    for index, spread in enumerate(("4.50", "5.25", "6.00")):
        organisation = organisation_create(
            actor=None,
            kind=OrganisationKind.FINANCIAL_INSTITUTION,
            name=f"Banco {index + 1}",
            tax_id=valid_ruc(10 + index),
        )
        banker = person(f"banco{index + 1}")
        membership_grant(actor=None, organisation=organisation, user=banker, role=Role.FINANCIER_OFFICER)
        services.chain_admit_institution(actor=officer, chain=chain, institution=organisation)
        services.offer_publish(
            actor=banker, chain=chain, institution=organisation, reference_rate=Decimal("8.00"), spread=Decimal(spread)
        )
        institutions.append((organisation, banker))

    suppliers = []
    for n in range(SUPPLIERS):
        owner = person(f"proveedor{n}")
        registry = supplier_register(
            actor=owner,
            data=SupplierData(
                ruc=valid_ruc(60_000_000 + n),
                legal_name=f"Proveedora {n} S.A.C.",
                address="Av. Arequipa 1234, Lima",
                region_code="15",
                email=f"ventas{n}@bench.example",
                representative_name="María Quispe",
                representative_document="41234567",
                registers=["goods"],
                category_codes=["43210000"],
                annual_sales="500000.00",
                sales_fiscal_year=2025,
                employees=8,
            ),
        )
        registry = supplier_verify(actor=operator, supplier=registry, approve=True)
        organisation = registry.organisation
        services.chain_invite_supplier(actor=officer, chain=chain, supplier=organisation)
        services.chain_join(actor=owner, chain=chain, supplier=organisation)
        account = services.bank_account_register(actor=owner, organisation=organisation, bank="BCP", cci=f"002{n:017d}")
        services.bank_account_verify(actor=operator, account=account)
        suppliers.append((organisation, owner))
    return chain, officer, institutions, suppliers


def payables(chain, suppliers, count: int, prefix: str = "F001") -> list[int]:
    """``count`` confirmed payables, inserted in bulk (set-up: ``payables_load`` row by row is the API's path)."""
    from portal.core import clock
    from tradedocs.factoring.enums import ReceivableSource, ReceivableStatus
    from tradedocs.factoring.models import Receivable

    today, now = clock.today(), clock.now()
    rows = [
        Receivable(
            chain=chain,
            supplier=suppliers[index % len(suppliers)][0],
            buyer_id=chain.buyer_id,
            source=ReceivableSource.PAYABLES,
            seller_tax_id=suppliers[index % len(suppliers)][0].tax_id,
            number=f"{prefix}-{index:08d}",
            currency="PEN",
            face_value=Decimal(1_000 + (index * 7919) % 199_000) + Decimal(index % 100) / 100,
            due_date=today + datetime.timedelta(days=15 + index % 150),
            status=ReceivableStatus.NEGOTIABLE,
            status_changed_at=now,
        )
        for index in range(count)
    ]
    Receivable.objects.bulk_create(rows, batch_size=2_000)
    return list(Receivable.objects.filter(number__startswith=prefix + "-").order_by("pk").values_list("pk", flat=True))


def operate_all(ids, chain, officer, institutions, suppliers) -> dict:
    from tradedocs.factoring import services
    from tradedocs.factoring.models import Receivable

    speakers = {organisation.pk: owner for organisation, owner in suppliers}
    samples = {"select": [], "operate": [], "settle": [], "operation": []}
    for index, receivable_id in enumerate(ids):
        institution, banker = institutions[index % len(institutions)]
        start = time.perf_counter()
        receivable = Receivable.objects.select_related("chain").get(pk=receivable_id)
        financing = services.financing_select(
            actor=speakers[receivable.supplier_id], receivable=receivable, institution=institution
        )
        selected = time.perf_counter()
        financing = services.financing_operate(actor=banker, financing=financing)
        operated = time.perf_counter()
        services.financing_settle(actor=officer, financing=financing)
        settled = time.perf_counter()
        samples["select"].append(selected - start)
        samples["operate"].append(operated - selected)
        samples["settle"].append(settled - operated)
        samples["operation"].append(settled - start)
    return samples


def queries_per_operation(chain, officer, institutions, suppliers) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ids = payables(chain, suppliers, 1, prefix="Q001")
    with CaptureQueriesContext(connection) as captured:
        operate_all(ids, chain, officer, institutions, suppliers)
    return len(captured.captured_queries)


def bare_rows(financing_ids, parties, booked_at) -> list[tuple]:
    """12 ledger rows per financing, shaped like the services' (the amounts are not the point)."""
    rows = []
    for financing_id, (supplier, institution, buyer) in zip(financing_ids, parties, strict=True):
        face, net = Decimal("1000.00"), Decimal("990.00")
        for movement, organisation, account, counterparty, amount in (
            ("disbursement", supplier, "cash", institution, net),
            ("disbursement", institution, "cash", supplier, -net),
            ("assignment", supplier, "receivable", buyer, -face),
            ("assignment", institution, "receivable", buyer, face),
            ("assignment", supplier, "receivable", institution, face - net),
            ("assignment", institution, "receivable", supplier, net - face),
            ("obligation", buyer, "payable", supplier, face),
            ("obligation", buyer, "payable", institution, -face),
            ("settlement", buyer, "cash", institution, -face),
            ("settlement", institution, "cash", buyer, face),
            ("settlement", institution, "receivable", buyer, -face),
            ("settlement", buyer, "payable", institution, face),
        ):
            rows.append((financing_id, movement, organisation, account, counterparty, amount, booked_at))
    return rows


def bare(rows: list[tuple]) -> dict[str, float]:
    """Seconds to insert ``rows`` into the ledger with psycopg: executemany, then COPY (each then removed)."""
    import psycopg

    columns = "financing_id, movement, organisation_id, account, counterparty_id, amount, booked_at"
    seconds = {}
    with psycopg.connect(DATABASE_URL) as conn:
        start_id = conn.execute("SELECT coalesce(max(id), 0) FROM tradedocs_ledgerentry").fetchone()[0]
        with conn.cursor() as cursor:
            start = time.perf_counter()
            cursor.executemany(
                f"INSERT INTO tradedocs_ledgerentry ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
            conn.commit()
            seconds["executemany"] = time.perf_counter() - start
        conn.execute("DELETE FROM tradedocs_ledgerentry WHERE id > %s", [start_id])
        conn.commit()
        with conn.cursor() as cursor:
            start = time.perf_counter()
            with cursor.copy(f"COPY tradedocs_ledgerentry ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            conn.commit()
            seconds["copy"] = time.perf_counter() - start
        conn.execute("DELETE FROM tradedocs_ledgerentry WHERE id > %s", [start_id])
        conn.commit()
    return seconds


def main() -> None:
    setup_django()
    from django.db.models import Count, Sum

    from portal.core import clock
    from tradedocs.factoring.models import Financing, LedgerEntry, Receivable

    with timer() as setup:
        chain, officer, institutions, suppliers = world()
        ids = payables(chain, suppliers, COUNT)
    queries = queries_per_operation(chain, officer, institutions, suppliers)  # also the warm-up

    with timer() as day:
        samples = operate_all(ids, chain, officer, institutions, suppliers)

    financings = list(
        Financing.objects.filter(receivable_id__in=ids)
        .order_by("pk")
        .values_list("pk", "receivable__supplier_id", "institution_id", "receivable__buyer_id")
    )
    ledger_rows = LedgerEntry.objects.filter(financing__receivable_id__in=ids).count()
    rows = bare_rows([f[0] for f in financings], [f[1:] for f in financings], clock.now())
    if len(rows) != ledger_rows:
        raise SystemExit(f"the services wrote {ledger_rows} ledger rows, not {len(rows)}: the baseline would differ")
    bare_seconds = bare(rows)

    statuses = dict(
        Receivable.objects.filter(pk__in=ids).values_list("status").annotate(n=Count("pk")).order_by("status")
    )
    balance = LedgerEntry.objects.aggregate(total=Sum("amount"))["total"]
    results = {
        "operations": COUNT,
        "suppliers": SUPPLIERS,
        "institutions": len(institutions),
        "setup_seconds": round(setup["seconds"], 1),
        "queries_per_operation": queries,
        "services_seconds": round(day["seconds"], 2),
        "operations_per_second": round(COUNT / day["seconds"], 1),
        "goal_seconds": GOAL_SECONDS,
        "goal_met": day["seconds"] < GOAL_SECONDS,
        "per_operation": percentiles(samples["operation"]),
        "per_step": {step: percentiles(samples[step]) for step in ("select", "operate", "settle")},
        "ledger_rows": ledger_rows,
        "bare_seconds": {name: round(value, 3) for name, value in bare_seconds.items()},
        "ratio_services_to_bare_executemany": round(day["seconds"] / bare_seconds["executemany"], 1),
        "ratio_services_to_bare_copy": round(day["seconds"] / bare_seconds["copy"], 1),
        "statuses": statuses,
        "ledger_balance": str(balance),
    }
    report("factoring_day", results)
    if not os.environ.get("BENCH_KEEP"):
        drop_database()


if __name__ == "__main__":
    main()
