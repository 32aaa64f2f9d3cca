"""Trade documents validated per second through the whole intake, against the validators run bare.

In a scratch PostgreSQL database, a supplier (the seller) and an entity (the buyer). ``DOCS_COUNT``
(default 10,000) distinct invoices are rendered before timing: half CII (the rich sample: 3 lines,
allowance and charge, two VAT rates), half UBL (the minimal sample), each with its own number.

a. **direct**: on the first ``DOCS_RATIO_SAMPLE`` files (default 1,000), what any validator must do
   at least: lxml parses the bytes, validates against the scenario's XSD, and saxonche runs the CEN
   EN 16931 Schematron over the same bytes (one processor, compiled stylesheets);
b. **intake**: the same files through ``document_submit`` as the API calls it: hardened parsing and
   identification, the canonical model, idempotency and conflict checks, the row with the original
   bytes, then ``document_validate`` (scenario, XSD, Schematron, SVRL → findings with lines) and the
   report stored, the webhooks' outbox rows written. Celery runs eagerly here, in the same process.
c. **memory**: the process's resident set size (VmRSS) sampled every 1,000 documents while the rest of
   the ``DOCS_COUNT`` documents go through the intake.

``.venv/bin/python bench/document_intake.py`` (``DOCS_COUNT``, ``DOCS_RATIO_SAMPLE``, ``BENCH_KEEP=1``).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_documents")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from harness import drop_database, report, setup_django

COUNT = int(os.environ.get("DOCS_COUNT", "10000"))
SAMPLE = int(os.environ.get("DOCS_RATIO_SAMPLE", "1000"))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def documents(count: int) -> list[tuple[str, bytes]]:
    from tests.tradedocs.samples import minimal_invoice, rich_invoice
    from tradedocs.xml.documents import render

    rich, minimal = rich_invoice(), minimal_invoice()
    minimal = dataclasses.replace(minimal, seller=rich.seller, buyer=rich.buyer)
    out = []
    for index in range(count):
        if index % 2 == 0:
            out.append(("cii", render(dataclasses.replace(rich, number=f"F001-{index:08d}"), "cii")))
        else:
            out.append(("ubl", render(dataclasses.replace(minimal, number=f"F002-{index:08d}"), "ubl")))
    return out


def direct(files: list[tuple[str, bytes]]) -> float:
    """Seconds for lxml parse + XSD + saxonche Schematron on each file, nothing else."""
    from lxml import etree

    from tradedocs.xml import rules
    from tradedocs.xml.intake import hardened_parser
    from tradedocs.xml.schemas import schema

    plan = {"cii": ("cii-en16931", "en16931-cii"), "ubl": ("ubl-invoice", "en16931-ubl")}
    with rules._lock:
        processor = rules._processor()
        executables = {name: rules._executable(name) for _, name in plan.values()}
    start = time.perf_counter()
    for syntax, data in files:
        schema_name, ruleset = plan[syntax]
        root = etree.fromstring(data, parser=hardened_parser())
        valid = schema(schema_name).validate(root)
        node = processor.parse_xml(xml_text=data.decode("utf-8"))
        svrl = executables[ruleset].transform_to_string(xdm_node=node)
        if not valid or "failed-assert" in svrl:
            raise SystemExit("a sample document is not valid: the benchmark would measure the wrong path")
    return time.perf_counter() - start


def parties():
    """The sample invoices' seller (a supplier with its representative) and buyer (an entity)."""
    from procurement_world import person

    from portal.accounts.enums import OrganisationKind, Role
    from portal.accounts.services import membership_grant, organisation_create

    seller = organisation_create(
        actor=None, kind=OrganisationKind.SUPPLIER, name="Textiles Andinos S.A.C.", tax_id="20100070970"
    )
    organisation_create(
        actor=None, kind=OrganisationKind.CONTRACTING_ENTITY, name="Ministerio de Salud", tax_id="20131373237"
    )
    representative = person("representante")
    membership_grant(actor=None, organisation=seller, user=representative, role=Role.SUPPLIER_REPRESENTATIVE)
    return seller, representative


def main() -> None:
    setup_django()
    from tradedocs.enums import DocumentStatus
    from tradedocs.models import Document
    from tradedocs.services.documents import document_submit

    seller, representative = parties()
    files = documents(COUNT)
    sample = files[:SAMPLE]
    # Warm-up: compile the stylesheets and schemas, fill the caches (not timed, not stored).
    direct(documents(4))

    direct_seconds = direct(sample)

    def intake(batch):
        start = time.perf_counter()
        for _, data in batch:
            document_submit(actor=representative, sender=seller, data=data)
        return time.perf_counter() - start

    intake_seconds = intake(sample)
    memory = [{"documents": SAMPLE, "rss_mb": rss_mb()}]
    done = SAMPLE
    rest_seconds = 0.0
    while done < COUNT:
        batch = files[done : done + 1000]
        rest_seconds += intake(batch)
        done += len(batch)
        memory.append({"documents": done, "rss_mb": rss_mb()})
    statuses = {status: Document.objects.filter(status=status).count() for status in DocumentStatus.values}
    direct_rate = SAMPLE / direct_seconds
    intake_rate = SAMPLE / intake_seconds
    results = {
        "documents": COUNT,
        "ratio_sample": SAMPLE,
        "direct_docs_per_second": round(direct_rate, 1),
        "intake_docs_per_second": round(intake_rate, 1),
        "ratio_intake_to_direct": round(intake_rate / direct_rate, 3),
        "goal_ratio": 0.7,
        "intake_docs_per_second_all": round(COUNT / (intake_seconds + rest_seconds), 1),
        "statuses": {k: v for k, v in statuses.items() if v},
        "memory": memory,
        "rss_growth_after_first_1000_mb": round(memory[-1]["rss_mb"] - memory[0]["rss_mb"], 1),
    }
    report("document_intake", results)
    if not os.environ.get("BENCH_KEEP"):
        drop_database()


if __name__ == "__main__":
    main()
