"""Our OCDS schema catches the mistakes a publisher makes (a field missing, a status outside its
codelist, a local time, an array entry without its id) and lets through what OCDS lets through."""

from __future__ import annotations

import copy

import pytest

from procurement.ocds import schema

GOOD = {
    "ocid": "ocds-pe0001-42",
    "id": "ocds-pe0001-42-3",
    "date": "2026-07-22T22:00:00Z",
    "tag": ["award"],
    "initiationType": "tender",
    "parties": [
        {
            "id": "PE-RUC-20123456789",
            "name": "Proveedora Andina S.A.C.",
            "identifier": {"scheme": "PE-RUC", "id": "20123456789"},
            "roles": ["tenderer", "supplier"],
            "details": {"scale": "sme"},
        }
    ],
    "tender": {
        "id": "AS-1-2026",
        "status": "complete",
        "procurementMethod": "open",
        "mainProcurementCategory": "goods",
        "lots": [{"id": "lot-1", "status": "complete"}],
        "items": [{"id": "1-1", "relatedLot": "lot-1", "unit": {"scheme": "UNCEFACT", "id": "C62"}}],
    },
    "bids": {"details": [{"id": "7", "status": "valid", "value": {"amount": 100000, "currency": "PEN"}}]},
    "awards": [{"id": "3", "status": "pending", "value": {"amount": 100000.5, "currency": "PEN"}}],
    "contracts": [{"id": "C-1", "awardID": "3", "status": "pending"}],
    "localExtension": {"anything": True},
}


def errors(release: dict) -> list[str]:
    return [error.message for error in schema.validator().iter_errors(release)]


def changed(path: list, value) -> dict:
    release = copy.deepcopy(GOOD)
    target = release
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return release


def test_a_good_release_passes_with_fields_ocds_does_not_know():
    assert errors(GOOD) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["id"], KeyError),
        (["ocid"], "pe-42"),
        (["date"], "2026-07-22 17:00"),  # no offset: not RFC 3339
        (["date"], "2026-02-30T10:00:00Z"),  # no such day
        (["tag"], ["awarded"]),
        (["tag"], []),
        (["initiationType"], "auction"),
        (["parties", 0, "roles"], ["winner"]),
        (["parties", 0, "details", "scale"], "small"),
        (["parties", 0, "identifier", "scheme"], KeyError),
        (["tender", "status"], "awarded"),
        (["tender", "procurementMethod"], "simplified"),
        (["tender", "mainProcurementCategory"], "consulting"),
        (["tender", "lots", 0, "id"], KeyError),
        (["tender", "items", 0, "id"], KeyError),
        (["tender", "items", 0, "unit", "scheme"], "REC20"),
        (["bids", "details", 0, "status"], "opened"),
        (["awards", 0, "status"], "revoked"),
        (["awards", 0, "value", "amount"], "100000.50"),  # money is a number
        (["awards", 0, "value", "currency"], "soles"),
        (["contracts", 0, "awardID"], KeyError),
        (["contracts", 0, "status"], "signed"),
    ],
)
def test_a_mistake_is_caught(path, value):
    assert errors(changed(path, value)) != []


def test_the_merger_reads_its_rules_from_our_schema():
    rules = schema.merger().merge_rules
    assert rules[("tag",)] == "omitWhenMerged"
    assert rules[("parties", "roles")] == "wholeListMerge"
    assert rules[("awards", "relatedLots")] == "wholeListMerge"
