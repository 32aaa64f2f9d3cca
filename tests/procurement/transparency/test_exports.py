"""CSV and XLSX downloads of the search: the rows of the page's query in its order, amounts as
numbers, Lima times, a row cap, attachments with a name, and refusals for what cannot be exported."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from django.urls import reverse

from procurement.timeline import LIMA
from procurement.transparency import exports
from tests.portal.api_helpers import in_spanish
from tests.procurement.transparency.search_world import build

pytestmark = pytest.mark.django_db

CSV = reverse("transparency-export-csv")
XLSX = reverse("transparency-export-xlsx")


@pytest.fixture
def world(clock):
    return build(clock)


def body(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_processes_as_csv(client, world):
    response = client.get(CSV + "?region=08&sort=oldest")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="processes-\d{4}-\d{2}-\d{2}\.csv"', response["Content-Disposition"])
    header, *rows = csv_rows(response)
    assert header[:3] == [in_spanish("Code"), in_spanish("Title"), in_spanish("Contracting entity")]
    published = world.pcs.published_at.astimezone(LIMA)
    assert [row[:4] for row in rows] == [
        [
            world.pcs.code,
            "Computadoras portátiles para colegios",
            "Gobierno Regional de Cusco",
            world.cusco.entity.tax_id,
        ],
        [world.cancel.code, "Mobiliario escolar", "Gobierno Regional de Cusco", world.cusco.entity.tax_id],
    ]
    assert rows[0][9:14] == ["PEN", "200000.00", "160000.00", f"{published:%Y-%m-%d %H:%M}", rows[0][13]]
    assert rows[1][11] == ""  # nothing awarded
    assert rows[0][14] == "http://testserver" + reverse("tender-detail", args=[world.pcs.pk])


def test_contracts_as_csv(client, world):
    response = client.get(CSV + "?type=contracts")

    header, *rows = csv_rows(response)
    assert header[0] == in_spanish("Contract")
    assert [(row[0], row[5], row[9], row[12]) for row in rows] == [
        (world.pcs_contract.number, "Cómputo del Sur S.A.C.", "160000.00", ""),
        (world.gloves_contract.number, "Andina Médica S.A.C.", "45000.00", "4"),
    ]
    assert rows[1][11] == f"{world.gloves_contract.completed_at.astimezone(LIMA):%Y-%m-%d %H:%M}"


def shared_strings_and_sheet(response) -> tuple[str, str]:
    data = body(response)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert "xl/workbook.xml" in names
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        strings = archive.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in names else ""
    return strings, sheet


def test_processes_as_xlsx(client, world):
    response = client.get(XLSX + "?sector=regional")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert re.fullmatch(r'attachment; filename="processes-\d{4}-\d{2}-\d{2}\.xlsx"', response["Content-Disposition"])
    strings, sheet = shared_strings_and_sheet(response)
    # constant_memory writes strings inline, in the sheet itself
    content = strings + sheet
    assert world.pcs.code in content
    assert world.cancel.code in content
    assert world.gloves.code not in content
    assert len(re.findall(r"<row ", sheet)) == 3  # the header and two processes
    assert "<v>200000</v>" in sheet  # a number, not text


def test_the_export_stops_at_the_cap(client, world, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_LIMIT", 2)

    _header, *rows = csv_rows(client.get(CSV))
    _strings, sheet = shared_strings_and_sheet(client.get(XLSX))

    assert [row[0] for row in rows] == [world.cancel.code, world.clean.code]
    assert len(re.findall(r"<row ", sheet)) == 3


def test_text_that_looks_like_a_formula_is_inert_in_csv(client, world):
    world.cusco.entity.name = '=HYPERLINK("http://x")'
    world.cusco.entity.save()
    from procurement.transparency import index

    index.refresh(tender_id=world.pcs.pk)

    _header, *rows = csv_rows(client.get(CSV + "?region=08"))

    assert {row[2] for row in rows} >= {'\'=HYPERLINK("http://x")'}


@pytest.mark.parametrize(("url", "field"), [(CSV + "?type=suppliers", "type"), (XLSX + "?amount_min=x", "amount_min")])
def test_what_cannot_be_exported_is_refused_with_the_form(client, world, url, field):
    response = client.get(url)

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
