"""Records merge an ocid's releases in date order: a later value wins, what only an earlier release
said is kept, and the versioned release shows each value's history."""

from __future__ import annotations

import pytest

from procurement.models import Release
from procurement.ocds.records import compile_record, record_for
from procurement.services.appeals import appeal_file, appeal_resolve
from procurement.services.awards import bid_evaluate, tender_award
from tests.procurement.ocds.conftest import assert_valid, awarded, bid_of

OCID = "ocds-pe0001-7"


def release(n: int, date: str, **tender) -> dict:
    return {
        "ocid": OCID,
        "id": f"{OCID}-{n}",
        "date": date,
        "tag": ["tenderUpdate"],
        "initiationType": "tender",
        "tender": {"id": "AS-1-2026", **tender},
    }


def test_a_later_release_wins_and_an_earlier_one_is_not_forgotten():
    first = release(1, "2026-07-06T14:00:00Z", title="Computadoras", status="active", documents=[{"id": "1"}])
    second = release(
        2, "2026-07-08T14:00:00Z", title="Computadoras portátiles", documents=[{"id": "2", "title": "Adenda"}]
    )
    third = release(3, "2026-07-10T14:00:00Z", status="complete", documents=[{"id": "1", "title": "Bases"}])

    # Given in any order, they are merged by date.
    record = compile_record(OCID, [third, first, second])

    compiled = record["compiledRelease"]
    assert compiled["id"] == f"{OCID}-2026-07-10T14:00:00Z"
    assert compiled["date"] == "2026-07-10T14:00:00Z"
    assert compiled["tag"] == ["compiled"]
    assert compiled["tender"]["title"] == "Computadoras portátiles"
    assert compiled["tender"]["status"] == "complete"
    # Documents are merged by id: the first's is kept, and given the title the third added.
    assert compiled["tender"]["documents"] == [{"id": "1", "title": "Bases"}, {"id": "2", "title": "Adenda"}]
    history = record["versionedRelease"]["tender"]["status"]
    assert [(entry["releaseID"], entry["value"]) for entry in history] == [
        (f"{OCID}-1", "active"),
        (f"{OCID}-3", "complete"),
    ]
    assert_valid(compiled)


def test_releases_of_the_same_moment_merge_in_publication_order():
    earlier = release(1, "2026-07-06T14:00:00Z", status="complete")
    later = release(2, "2026-07-06T14:00:00Z", status="cancelled")

    assert compile_record(OCID, [earlier, later])["compiledRelease"]["tender"]["status"] == "cancelled"


@pytest.mark.django_db
def test_the_record_keeps_a_revoked_award_beside_the_new_one(tender, officer, evaluator, reviewer, alpha, beta, clock):
    tender = awarded(tender, clock, officer, evaluator, alpha, beta)
    appeal = appeal_file(actor=beta.owner, lot=tender.lots.get(), organisation=beta.organisation, grounds="Motivo")
    appeal_resolve(actor=reviewer, appeal=appeal, upheld=True, resolution="Fundado")
    bid_evaluate(actor=evaluator, bid=bid_of(alpha, tender), qualified=False, comment="Sin experiencia")
    tender_award(actor=officer, tender=tender)
    ocid = f"ocds-pe0001-{tender.pk}"

    record = record_for(ocid)

    assert [entry["id"] for entry in record["releases"]] == list(
        Release.objects.filter(ocid=ocid).order_by("pk").values_list("release_id", flat=True)
    )
    awards = {award["suppliers"][0]["id"]: award["status"] for award in record["compiledRelease"]["awards"]}
    assert awards == {f"PE-RUC-{alpha.ruc}": "cancelled", f"PE-RUC-{beta.ruc}": "pending"}
    assert_valid(record["compiledRelease"])
    assert record_for("ocds-pe0001-0") is None
