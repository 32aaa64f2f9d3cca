"""The institution's and the buyer's factoring pages, and the server-side SVG charts they show.

Scoping (another institution's financing, another buyer's chain, a supplier on a buyer's page), the offer
under the chain's cap, operate and decline, the buyer's document actions, the CSV upload of payables with
its per-row result and its refusals, the maturity calendar, statistics, charts and CSV exports.
"""

from __future__ import annotations

import csv
import datetime
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.accounts.enums import OrganisationKind, Role
from portal.core import clock
from tests.factories import OrganisationFactory, member
from tests.tradedocs.factoring.factories import chain_world, operated, receivable, selected
from tradedocs.factoring import charts
from tradedocs.factoring.enums import FinancingStatus, ReceivableStatus
from tradedocs.factoring.forms import PAYABLES_MAX_BYTES
from tradedocs.factoring.models import Chain, ChainInstitution, ChainSupplier, Financing, Offer, Receivable

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    """The standard library's parser: the markup is the portal's own output, not untrusted input."""
    return ET.fromstring(markup)  # noqa: S314


def svgs_in(html: str) -> list[ET.Element]:
    """Each inline chart of a page, parsed on its own."""
    return [parse("<svg" + part.split("</svg>")[0] + "</svg>") for part in html.split("<svg")[1:]]


@pytest.fixture
def world(db):
    return chain_world()


def as_user(client, user):
    # These tests read the pages' messages in their English source; the Spanish catalogue is checked
    # by tests/portal/test_translations.py.
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


# --- Charts (pure functions) --------------------------------------------------------------------------------


def test_bar_chart_is_valid_svg_with_title_desc_and_escaped_labels():
    points = [("<script>alert(1)</script>", Decimal("1000")), ('W & "2"', Decimal("2500.50"))]
    svg = charts.bar_chart(points, chart_id="v", title="Volume <b>", desc="Bars & more")
    root = parse(svg)  # well-formed XML: nothing unescaped got through
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "v-title v-desc"
    assert root.find(f"{SVG}title").text == "Volume <b>"
    assert root.find(f"{SVG}desc").text == "Bars & more"
    rects = root.findall(f".//{SVG}rect")
    assert len(rects) == 2
    heights = [float(rect.get("height")) for rect in rects]
    assert heights[1] > heights[0] > 0
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "<script>alert(1)</script>" in texts
    assert "<script>" not in svg


def test_line_chart_is_valid_svg_with_a_point_per_week():
    points = [("03/11", Decimal("13.00")), ("10/11", Decimal("14.50")), ("17/11", Decimal("0"))]
    root = parse(charts.line_chart(points, chart_id="r", title="Rate", desc="Line"))
    assert len(root.findall(f".//{SVG}circle")) == 3
    polyline = root.find(f".//{SVG}polyline")
    assert len(polyline.get("points").split()) == 3
    assert root.find(f".//{SVG}circle/{SVG}title").text == "03/11: 13.00%"


def test_charts_without_data_say_so():
    for chart in (charts.bar_chart, charts.line_chart):
        root = parse(chart([], chart_id="e", title="T", desc="D", empty="Nothing <yet>"))
        assert [element.text for element in root.iter(f"{SVG}text")] == ["Nothing <yet>"]


def test_data_table_escapes_and_parses():
    table = charts.data_table([("a<b", Decimal("1234.5"))], caption="C & D", label_header="Week", value_header="Amount")
    root = parse(table)
    assert root.find("caption").text == "C & D"
    assert root.find("tbody/tr/th").text == "a<b"
    assert root.find("tbody/tr/td").text == "1,234.50"


# --- Who may open the pages ---------------------------------------------------------------------------------


def test_a_supplier_cannot_open_buyer_or_institution_pages(client, world):
    as_user(client, world.representative)
    assert client.get(reverse("factoring-buyer")).status_code == 403
    assert client.get(reverse("factoring-buyer-chain", args=[world.chain.pk])).status_code == 403
    assert client.get(reverse("factoring-institution")).status_code == 403
    url = reverse("factoring-buyer-payable-action", args=[receivable(world).pk, "withdraw"])
    assert client.post(url).status_code == 403


def test_an_institution_without_the_officer_role_is_refused(client, world):
    reviewer = member(OrganisationKind.FINANCIAL_INSTITUTION, Role.REVIEWER, world.a.organisation)
    assert as_user(client, reviewer).get(reverse("factoring-institution")).status_code == 403


def test_anonymous_people_are_sent_to_sign_in(client, world):
    response = client.get(reverse("factoring-institution"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_another_buyers_chain_and_documents_are_not_found(client, world):
    other = member(OrganisationKind.CONTRACTING_ENTITY, Role.PROCUREMENT_OFFICER)
    document = receivable(world)
    as_user(client, other)
    assert client.get(reverse("factoring-buyer-chain", args=[world.chain.pk])).status_code == 404
    assert client.get(reverse("factoring-buyer-payables", args=[world.chain.pk])).status_code == 404
    assert client.get(reverse("factoring-buyer-payables-csv", args=[world.chain.pk])).status_code == 404
    response = client.post(reverse("factoring-buyer-payable-action", args=[document.pk, "withdraw"]))
    assert response.status_code == 404
    document.refresh_from_db()
    assert document.status == ReceivableStatus.NEGOTIABLE


def test_another_institutions_financing_is_not_found(client, world):
    financing = selected(world)  # with institution A
    as_user(client, world.b.officer)
    assert client.post(reverse("factoring-institution-operate", args=[financing.pk])).status_code == 404
    assert client.post(reverse("factoring-institution-decline", args=[financing.pk])).status_code == 404
    financing.refresh_from_db()
    assert financing.status == FinancingStatus.SELECTED
    page = client.get(reverse("factoring-institution"))
    assert financing.receivable.number not in page.content.decode()


def test_an_institution_not_admitted_cannot_publish_on_the_chain(client, world):
    outsider = member(OrganisationKind.FINANCIAL_INSTITUTION, Role.FINANCIER_OFFICER)
    response = as_user(client, outsider).post(
        reverse("factoring-institution-offer", args=[world.chain.pk]), {"reference_rate": "8", "spread": "1"}
    )
    assert response.status_code == 404


# --- The institution ------------------------------------------------------------------------------------------


def test_institution_home_shows_chains_offer_cap_exposure_selections_and_charts(client, world):
    waiting = selected(world, face=Decimal("50000.00"))
    operated(world, face=Decimal("100000.00"))
    response = as_user(client, world.a.officer).get(reverse("factoring-institution"))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.chain.name in html
    assert "13.00 %" in html  # 8.00 + 5.00
    assert "at most 7.00 points" in html
    assert waiting.receivable.number in html
    assert reverse("factoring-institution-operate", args=[waiting.pk]) in html
    volume, rate = svgs_in(html)
    assert volume.find(f"{SVG}title").text == "Face value operated per week"
    assert len(volume.findall(f".//{SVG}rect")) == 1  # this week's operation
    assert len(rate.findall(f".//{SVG}circle")) == 1
    assert "<script" not in html


def test_publish_offer_over_the_cap_is_refused_with_409_and_nothing_stored(client, world):
    before = Offer.objects.count()
    response = as_user(client, world.a.officer).post(
        reverse("factoring-institution-offer", args=[world.chain.pk]),
        {"reference_rate": "8.00", "spread": "7.50"},
    )
    assert response.status_code == 409
    assert "at most 7.00 points" in response.content.decode()
    assert Offer.objects.count() == before


def test_publish_offer_within_the_cap(client, world):
    response = as_user(client, world.a.officer).post(
        reverse("factoring-institution-offer", args=[world.chain.pk]),
        {"reference_rate": "8.25", "spread": "4.50"},
    )
    assert response.status_code == 302
    offer = Offer.objects.filter(institution=world.a.organisation).latest("pk")
    assert (offer.reference_rate, offer.spread, offer.valid_from) == (Decimal("8.25"), Decimal("4.50"), clock.today())
    page = client.get(response["Location"])
    assert "12.75" in page.content.decode()


def test_publish_offer_with_bad_numbers_is_400(client, world):
    response = as_user(client, world.a.officer).post(
        reverse("factoring-institution-offer", args=[world.chain.pk]), {"reference_rate": "abc", "spread": "-1"}
    )
    assert response.status_code == 400


def test_operate_and_decline(client, world):
    first = selected(world, face=Decimal("10000.00"))
    second = selected(world, face=Decimal("20000.00"))
    as_user(client, world.a.officer)
    response = client.post(reverse("factoring-institution-operate", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == FinancingStatus.OPERATED
    assert first.receivable.status == ReceivableStatus.OPERATED
    response = client.post(reverse("factoring-institution-decline", args=[second.pk]))
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == FinancingStatus.CANCELLED
    assert Receivable.objects.get(pk=second.receivable_id).status == ReceivableStatus.NEGOTIABLE
    # Operating it again is a rule violation shown on the page.
    response = client.post(reverse("factoring-institution-operate", args=[first.pk]))
    assert response.status_code == 409
    assert "Only a selected document can be operated." in response.content.decode()
    assert client.get(reverse("factoring-institution-decline", args=[first.pk])).status_code == 405


def test_operate_over_the_institution_limit_is_409(client, db):
    world = chain_world(limit_a=Decimal("15000.00"))
    financing = selected(world, face=Decimal("20000.00"))
    response = as_user(client, world.a.officer).post(reverse("factoring-institution-operate", args=[financing.pk]))
    assert response.status_code == 409
    assert "limit" in response.content.decode()
    financing.refresh_from_db()
    assert financing.status == FinancingStatus.SELECTED


def test_operations_page_and_csv_export(client, world):
    done = operated(world, face=Decimal("100000.00"), due_in_days=60)
    selected(world, face=Decimal("5000.00"))  # not an operation yet
    other = operated(world, institution=world.b, face=Decimal("7000.00"))
    as_user(client, world.a.officer)
    page = client.get(reverse("factoring-institution-operations"))
    assert page.status_code == 200
    html = page.content.decode()
    assert done.receivable.number in html
    assert other.receivable.number not in html
    response = client.get(reverse("factoring-institution-operations-csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["document"] for row in rows] == [done.receivable.number]
    assert rows[0]["status"] == "operated"
    assert rows[0]["face"] == "100000.00"
    assert Decimal(rows[0]["net"]) == done.net
    assert rows[0]["due_date"] == done.receivable.due_date.isoformat()
    settled = client.get(reverse("factoring-institution-operations-csv") + "?status=settled")
    assert len(list(csv.DictReader(io.StringIO(settled.content.decode("utf-8-sig"))))) == 0


# --- The buyer ------------------------------------------------------------------------------------------------


def test_buyer_opens_a_chain(client, world):
    as_user(client, world.officer)
    assert client.get(reverse("factoring-buyer")).status_code == 200
    response = client.post(
        reverse("factoring-buyer"),
        {"name": "Cadena Essalud", "programme": world.programme.pk, "buyer_limit": "1000000"},
    )
    assert response.status_code == 302
    chain = Chain.objects.get(name="Cadena Essalud")
    assert (chain.buyer, chain.buyer_limit, chain.cap_points) == (world.buyer, Decimal("1000000.00"), Decimal(7))
    assert response["Location"] == reverse("factoring-buyer-chain", args=[chain.pk])
    assert client.post(reverse("factoring-buyer"), {"name": "", "programme": ""}).status_code == 400


def test_buyer_invites_a_supplier_and_admits_an_institution_by_ruc(client, world):
    supplier = OrganisationFactory(kind=OrganisationKind.SUPPLIER)
    bank = OrganisationFactory(kind=OrganisationKind.FINANCIAL_INSTITUTION)
    as_user(client, world.officer)
    response = client.post(reverse("factoring-buyer-invite", args=[world.chain.pk]), {"ruc": supplier.tax_id})
    assert response.status_code == 302
    assert ChainSupplier.objects.filter(chain=world.chain, supplier=supplier, joined_at__isnull=True).exists()
    response = client.post(
        reverse("factoring-buyer-admit", args=[world.chain.pk]),
        {"ruc": bank.tax_id, "limit": "500000", "auto_accept_up_to": "10000"},
    )
    assert response.status_code == 302
    membership = ChainInstitution.objects.get(chain=world.chain, institution=bank)
    assert (membership.limit, membership.auto_accept_up_to) == (Decimal("500000.00"), Decimal("10000.00"))
    # A RUC of the wrong kind, or nobody's, is a 400 next to the field.
    response = client.post(reverse("factoring-buyer-admit", args=[world.chain.pk]), {"ruc": supplier.tax_id})
    assert response.status_code == 400
    assert "No financial institution is registered" in response.content.decode()
    assert client.post(reverse("factoring-buyer-invite", args=[world.chain.pk]), {"ruc": "1"}).status_code == 400


def test_chain_page_shows_statistics_and_charts(client, world):
    operated(world, face=Decimal("100000.00"))
    receivable(world, face=Decimal("3000.00"))
    response = as_user(client, world.officer).get(reverse("factoring-buyer-chain", args=[world.chain.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 document, S/" in html or "1 document," in html
    assert len(svgs_in(html)) == 2
    assert "13.00 %" in html  # the average rate: one operation at A's 13 %


def test_payables_list_filter_and_actions(client, world):
    negotiable = receivable(world, face=Decimal("1000.00"))
    to_dispute = receivable(world, face=Decimal("2000.00"))
    to_pay = receivable(world, face=Decimal("3000.00"))
    financed = operated(world, face=Decimal("4000.00"))
    as_user(client, world.officer)
    page = client.get(reverse("factoring-buyer-payables", args=[world.chain.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for document in (negotiable, to_dispute, to_pay, financed.receivable):
        assert document.number in html
    filtered = client.get(reverse("factoring-buyer-payables", args=[world.chain.pk]) + "?status=operated")
    assert negotiable.number not in filtered.content.decode()
    assert financed.receivable.number in filtered.content.decode()

    def act(document, action):
        return client.post(reverse("factoring-buyer-payable-action", args=[document.pk, action]))

    assert act(negotiable, "withdraw").status_code == 302
    assert act(to_dispute, "dispute").status_code == 302
    to_dispute.refresh_from_db()
    assert to_dispute.status == ReceivableStatus.NOT_NEGOTIABLE
    assert act(to_dispute, "resolve").status_code == 302
    assert act(to_pay, "paid").status_code == 302
    assert act(financed.receivable, "settle").status_code == 302
    statuses = dict(Receivable.objects.filter(chain=world.chain).values_list("pk", "status"))
    assert statuses[negotiable.pk] == ReceivableStatus.WITHDRAWN
    assert statuses[to_dispute.pk] == ReceivableStatus.NEGOTIABLE
    assert statuses[to_pay.pk] == ReceivableStatus.PAID_WITHOUT_OPERATING
    assert statuses[financed.receivable_id] == ReceivableStatus.SETTLED
    assert Financing.objects.get(pk=financed.pk).status == FinancingStatus.SETTLED
    # A refused transition comes back on the page with its 409; an unknown action is a 404.
    response = act(negotiable, "dispute")
    assert response.status_code == 409
    assert "withdrawn" in response.content.decode().lower()
    assert act(to_pay, "settle").status_code == 400
    assert act(to_dispute, "explode").status_code == 404


def test_payables_csv_export(client, world):
    first = receivable(world, face=Decimal("1500.00"))
    financed = operated(world, face=Decimal("4000.00"))
    response = as_user(client, world.officer).get(reverse("factoring-buyer-payables-csv", args=[world.chain.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = {row["document"]: row for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows[first.number]["amount"] == "1500.00"
    assert rows[first.number]["status"] == "negotiable"
    assert rows[first.number]["institution"] == ""
    assert rows[financed.receivable.number]["institution"] == world.a.organisation.name
    narrowed = client.get(reverse("factoring-buyer-payables-csv", args=[world.chain.pk]) + "?status=operated")
    assert [row["document"] for row in csv.DictReader(io.StringIO(narrowed.content.decode("utf-8-sig")))] == [
        financed.receivable.number
    ]


def _csv_file(text: str, name: str = "payables.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_payables_upload_happy_path_and_bad_rows(client, world):
    due = (clock.today() + datetime.timedelta(days=45)).isoformat()
    ruc = world.supplier.tax_id
    text = (
        "supplier_ruc,number,amount,due_date,currency\n"
        f"{ruc},F001-900001,15000.00,{due},PEN\n"
        f"{ruc},F001-900002,2500.50,{due},\n"
        f"20999999999,F001-900003,100.00,{due},PEN\n"  # not in the chain
        f"{ruc},F001-900004,abc,{due},PEN\n"  # not a number
        f"{ruc},F001-900001,15000.00,{due},PEN\n"  # the same invoice twice
        f"{ruc},<b>F001-900005</b>,10.00,2000-01-01,PEN\n"  # in the past, with markup
    )
    as_user(client, world.officer)
    assert client.get(reverse("factoring-buyer-upload", args=[world.chain.pk])).status_code == 200
    response = client.post(reverse("factoring-buyer-upload", args=[world.chain.pk]), {"file": _csv_file(text)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 loaded, 4 refused" in html
    assert "has not joined this chain" in html
    assert "already on the market" in html
    assert "&lt;b&gt;F001-900005&lt;/b&gt;" in html
    assert "<b>F001-900005" not in html
    loaded = Receivable.objects.filter(chain=world.chain, number__startswith="F001-9000").order_by("number")
    assert [(r.number, r.face_value, r.currency) for r in loaded] == [
        ("F001-900001", Decimal("15000.00"), "PEN"),
        ("F001-900002", Decimal("2500.50"), "PEN"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "supplier_ruc,number,amount,due_date\n20100000001,F1,1,2030-01-01\n".encode("latin-1")
            + "Ñ".encode("latin-1"),
            "not UTF-8",
        ),
        (b"number,amount\nF1,10\n", "lacks the columns: supplier_ruc, due_date"),
        (b"supplier_ruc,number,amount,due_date\n", "no rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not"),
    ],
)
def test_payables_upload_refuses_bad_files_with_400(client, world, content, message):
    upload = SimpleUploadedFile("payables.csv", content, content_type="text/csv")
    response = as_user(client, world.officer).post(
        reverse("factoring-buyer-upload", args=[world.chain.pk]), {"file": upload}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Receivable.objects.filter(chain=world.chain).exists()


def test_payables_upload_over_2_mb_is_400(client, world):
    line = "20100000001,F001-1,1.00,2030-01-01\n"
    text = "supplier_ruc,number,amount,due_date\n" + line * (PAYABLES_MAX_BYTES // len(line) + 1)
    response = as_user(client, world.officer).post(
        reverse("factoring-buyer-upload", args=[world.chain.pk]), {"file": _csv_file(text)}
    )
    assert response.status_code == 400
    assert "larger than 2 MB" in response.content.decode()


def test_maturity_calendar_groups_operated_documents_by_week(client, world):
    soon = operated(world, face=Decimal("1000.00"), due_in_days=10)
    later = operated(world, face=Decimal("2000.00"), due_in_days=40)
    negotiable = receivable(world, face=Decimal("3000.00"), due_in_days=10)
    response = as_user(client, world.officer).get(reverse("factoring-buyer-calendar", args=[world.chain.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert soon.receivable.number in html
    assert later.receivable.number in html
    assert negotiable.number not in html
    assert html.count('<h2 id="week-') == 2
    monday = soon.receivable.due_date - datetime.timedelta(days=soon.receivable.due_date.weekday())
    assert f"week-{monday:%Y%m%d}" in html


def test_empty_pages_render(client, db):
    institution = member(OrganisationKind.FINANCIAL_INSTITUTION, Role.FINANCIER_OFFICER)
    page = as_user(client, institution).get(reverse("factoring-institution"))
    assert page.status_code == 200
    assert "No buyer has admitted your institution to a chain yet." in page.content.decode()
    assert all(svg.get("role") == "img" for svg in svgs_in(page.content.decode()))
    assert client.get(reverse("factoring-institution-operations")).status_code == 200
    buyer = member(OrganisationKind.CONTRACTING_ENTITY, Role.ADMINISTRATOR)
    page = as_user(client, buyer).get(reverse("factoring-buyer"))
    assert page.status_code == 200
    assert "You have not opened a chain yet." in page.content.decode()
