"""The bulk export: a valid release package and record package per Lima month, records cut at the
month's end, written as they are read so memory does not grow with the number of releases."""

from __future__ import annotations

import json
import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from procurement.models import Contract, Release
from procurement.ocds import schema
from procurement.ocds.export import export
from procurement.services.contracts import contract_complete, contract_sign
from tests.procurement.ocds.conftest import assert_valid, consented

pytestmark = pytest.mark.django_db


def read(path):
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture
def two_months(tender, officer, entity, evaluator, alpha, beta, clock):
    """A process published and awarded in July 2026, consented (end of 3 August, Lima) and signed in
    August, its contract completed on 3 September."""
    tender = consented(tender, clock, officer, evaluator, alpha, beta)
    contract = Contract.objects.get()
    contract_sign(actor=alpha.owner, contract=contract, organisation=alpha.organisation)
    contract = contract_sign(actor=officer, contract=contract, organisation=entity)
    clock.set(datetime(2026, 9, 3, 15, 0, tzinfo=UTC))
    contract_complete(actor=officer, contract=contract, rating=5, comment="Impecable")
    return tender


def test_each_month_gets_a_valid_release_package_and_record_package(two_months, tmp_path):
    stats = export(tmp_path, base_uri="https://datos.example.pe/ocds/")

    assert stats.months == ["2026-07", "2026-08", "2026-09"]
    assert [path.name for path in stats.files] == [
        "releases-2026-07.json",
        "records-2026-07.json",
        "releases-2026-08.json",
        "records-2026-08.json",
        "releases-2026-09.json",
        "records-2026-09.json",
    ]
    assert stats.releases == Release.objects.count() == 11
    assert stats.records == 3  # the one process, in each month it moved
    assert stats.bytes == sum(path.stat().st_size for path in stats.files)
    months = [read(tmp_path / f"releases-2026-0{month}.json") for month in (7, 8, 9)]
    for package in months:
        assert_valid(package, schema.RELEASE_PACKAGE)
    july, august, september = months
    assert july["uri"] == "https://datos.example.pe/ocds/releases-2026-07.json"
    assert [release["tag"] for release in august["releases"]] == [["award"], ["contract"], ["contract"], ["contract"]]
    assert [release["tag"] for release in september["releases"]] == [["implementation"], ["implementation"]]
    assert [release["id"] for package in months for release in package["releases"]] == list(
        Release.objects.order_by("date", "pk").values_list("release_id", flat=True)
    )
    assert july["publishedDate"] == july["releases"][-1]["date"]
    assert not list((tmp_path).glob(".*.part"))


def test_a_months_record_is_the_process_as_it_stood_at_the_months_end(two_months, tmp_path):
    export(tmp_path)

    months = [read(tmp_path / f"records-2026-0{month}.json") for month in (7, 8, 9)]
    for package in months:
        assert_valid(package, schema.RECORD_PACKAGE)
        for record in package["records"]:
            assert_valid(record["compiledRelease"])
    [in_july], [in_august], [in_september] = (package["records"] for package in months)
    assert len(in_july["releases"]) == 5
    assert in_july["compiledRelease"]["awards"][0]["status"] == "pending"
    assert "contracts" not in in_july["compiledRelease"]
    assert len(in_august["releases"]) == 9  # July's and August's
    assert in_august["compiledRelease"]["contracts"][0]["status"] == "active"
    assert len(in_september["releases"]) == 11  # the whole history
    assert in_september["compiledRelease"]["contracts"][0]["status"] == "terminated"
    assert "versionedRelease" not in in_september


def test_the_command_exports_the_months_asked_and_refuses_a_bad_month(two_months, tmp_path):
    call_command("export_ocds", "--output", str(tmp_path), "--from", "2026-09", "--to", "2026-09")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["records-2026-09.json", "releases-2026-09.json"]

    with pytest.raises(CommandError):
        call_command("export_ocds", "--output", str(tmp_path), "--from", "2026-8")
    with pytest.raises(CommandError):
        call_command("export_ocds", "--output", str(tmp_path), "--from", "2026-09", "--to", "2026-08")


def test_nothing_to_export_writes_nothing(tmp_path):
    stats = export(tmp_path)
    assert (stats.months, stats.files, list(tmp_path.iterdir())) == ([], [], [])


def _many(template: Release, count: int, *, first: int = 0, per_process: int = 5) -> None:
    """``count`` releases like ``template`` in July 2026, ``per_process`` to an ocid, numbered from ``first``."""
    start = datetime(2026, 7, 10, 15, 0, tzinfo=UTC)
    rows = []
    for n in range(first, first + count):
        ocid = f"ocds-pe0001-bulk{n // per_process}"
        date = start + timedelta(seconds=n)
        data = dict(template.data, ocid=ocid, id=f"{ocid}-{n}", date=date.isoformat().replace("+00:00", "Z"))
        rows.append(
            Release(
                ocid=ocid,
                release_id=data["id"],
                tender_id=template.tender_id,
                entity_id=template.entity_id,
                date=date,
                tags=data["tag"],
                data=data,
            )
        )
    Release.objects.bulk_create(rows, batch_size=500)


def _peak(tmp_path, name: str) -> tuple[int, int]:
    tracemalloc.start()
    try:
        stats = export(tmp_path / name, chunk_size=50)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, stats.releases


def test_memory_stays_flat_however_many_releases(two_months, tmp_path):
    template = Release.objects.filter(tender=two_months).order_by("pk").last()  # the fullest release
    _many(template, 100)
    small, small_count = _peak(tmp_path, "small")
    _many(template, 900, first=100)
    large, large_count = _peak(tmp_path, "large")

    assert (small_count, large_count) == (111, 1011)
    # Ten times the releases: were they held in memory, the peak would grow about tenfold.
    assert large < small * 2
    assert len(read(tmp_path / "large" / "records-2026-07.json")["records"]) == 1 + 1000 // 5
