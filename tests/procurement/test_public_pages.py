"""Procurement's public pages: the tender search with its filters, the tender's page (lots, items,
documents, published answers, timeline) and what each person sees there of the bids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html import escape

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from portal.accounts.enums import OrganisationKind, Role
from procurement.models import Tender
from procurement.services.bids import bid_submit
from procurement.services.participation import answers_publish, participant_register, question_answer, question_ask
from procurement.services.tenders import tender_cancel, tender_publish, tender_set_timeline
from procurement.views.public import TimelineStep
from tests.factories import OrganisationFactory, member
from tests.portal.api_helpers import in_spanish
from tests.portal.test_accessibility import audit
from tests.procurement.factories import (
    MONDAY_9AM,
    draft_tender,
    earliest,
    entity_officer,
    item_data,
    line_data,
    lot_data,
    open_bidding,
    open_enquiries,
    procedure,
    published_plan,
)
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db

# The earliest adjudicación simplificada published on Monday 6 July 2026 (Lima, 17:00 closings).
ENQUIRIES_END = datetime(2026, 7, 9, 22, 0, tzinfo=UTC)
BIDS_DUE = datetime(2026, 7, 22, 22, 0, tzinfo=UTC)
# Monday 13 July 2026, 09:00 in Lima.
NEXT_MONDAY_9AM = datetime(2026, 7, 13, 14, 0, tzinfo=UTC)
BASES = b"%PDF-1.4\nBases integradas - AS-0001\n%%EOF\n"


def shown(response, text) -> bool:
    """Whether ``text`` (a msgid, shown in Spanish) is on the page as HTML writes it."""
    return escape(in_spanish(text)) in response.content.decode()


def codes(response) -> list[str]:
    return [tender.code for tender in response.context["page"].object_list]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def entity_named(name: str):
    return OrganisationFactory(kind=OrganisationKind.CONTRACTING_ENTITY, name=name)


def publish(officer, tender, code: str = "adjudicacion-simplificada"):
    from portal.core import clock

    tender = tender_set_timeline(actor=officer, tender=tender, timeline=earliest(clock.now(), code))
    return tender_publish(actor=officer, tender=tender)


@pytest.fixture
def officer(clock):
    return entity_officer(entity_named("Hospital Regional de Ica"))


@pytest.fixture
def computers(officer):
    """Published on Monday 6 July: computers for Lima, S/ 180,000, adjudicación simplificada."""
    return publish(officer, draft_tender(officer))


@pytest.fixture
def world(officer, computers, clock):
    """Two published tenders of two entities a week apart, and a draft of the first entity."""
    cleaning_officer = entity_officer(entity_named("Municipalidad del Cusco"))
    plan = published_plan(
        cleaning_officer,
        lines=[
            line_data(
                description="Limpieza de oficinas",
                object="services",
                procedure_type=procedure("comparacion-de-precios"),
                unspsc_code="76111500",
                estimated_value=Decimal("60000.00"),
            )
        ],
    )
    clock.set(NEXT_MONDAY_9AM)
    cleaning = draft_tender(
        cleaning_officer,
        plan=plan,
        title="Servicio de limpieza de oficinas",
        lots=[
            lot_data(
                title="Limpieza",
                reference_value=Decimal("60000.00"),
                items=[
                    item_data(
                        unspsc_code="76111500",
                        description="Limpieza diaria de la sede central",
                        quantity=Decimal("12"),
                        unit="MON",
                        delivery_place="Plaza de Armas s/n, Cusco",
                        region_code="08",
                    )
                ],
            )
        ],
    )
    cleaning = publish(cleaning_officer, cleaning, "comparacion-de-precios")
    draft = draft_tender(officer, plan=computers.plan_line.plan, title="Borrador de mobiliario reservado")
    return {"computers": computers, "cleaning": cleaning, "draft": draft, "cleaning_officer": cleaning_officer}


# --- Search --------------------------------------------------------------------------------------------


def test_the_search_lists_public_tenders_latest_first_and_never_a_draft(client, world):
    response = client.get(reverse("tender-list"))

    assert response.status_code == 200
    assert codes(response) == [world["cleaning"].code, world["computers"].code]
    page = response.content.decode()
    assert "Borrador de mobiliario reservado" not in page
    assert world["draft"].code not in page
    assert "S/ 180,000.00" in page
    assert "22/07/2026 17:00" in page  # the computers' deadline, in Lima time


def test_an_entitys_members_also_find_its_drafts_other_entities_do_not(client, world, officer):
    client.force_login(officer)
    own = client.get(reverse("tender-list"))
    client.force_login(world["cleaning_officer"])
    other = client.get(reverse("tender-list"))

    assert world["draft"].code in codes(own)
    assert world["draft"].code not in codes(other)
    assert "Borrador de mobiliario reservado" not in other.content.decode()


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"q": "limpieza"}, ["cleaning"]),
        ({"q": "AS-0001"}, ["computers"]),
        ({"entity": "regional de ica"}, ["computers"]),
        ({"object": "services"}, ["cleaning"]),
        ({"object": "goods"}, ["computers"]),
        ({"status": "enquiries"}, ["computers"]),
        ({"status": "published"}, ["cleaning"]),
        ({"region": "08"}, ["cleaning"]),
        ({"region": "15"}, ["computers"]),
        ({"category": "43"}, ["computers"]),
        ({"category": "43211503"}, ["computers"]),
        ({"category": "7611"}, ["cleaning"]),
        ({"category": "44"}, []),
        ({"published_from": "2026-07-10"}, ["cleaning"]),
        ({"published_to": "2026-07-06"}, ["computers"]),
        ({"published_from": "2026-07-06", "published_to": "2026-07-13"}, ["cleaning", "computers"]),
        ({"amount_min": "100000"}, ["computers"]),
        ({"amount_max": "60000.00"}, ["cleaning"]),
        ({"amount_min": "60000", "amount_max": "180000", "region": "15"}, ["computers"]),
    ],
)
def test_each_filter_narrows_the_search(client, world, criteria, expected):
    open_enquiries(world["computers"])

    response = client.get(reverse("tender-list"), criteria)

    assert response.status_code == 200
    assert codes(response) == [world[key].code for key in expected]


def test_search_by_entity_ruc_and_procedure_type(client, world):
    cleaning = world["cleaning"]

    by_ruc = client.get(reverse("tender-list"), {"entity": cleaning.entity.tax_id})
    by_procedure = client.get(reverse("tender-list"), {"procedure_type": procedure("comparacion-de-precios").pk})

    assert codes(by_ruc) == [cleaning.code]
    assert codes(by_procedure) == [cleaning.code]


@pytest.mark.parametrize(
    ("criteria", "field", "message"),
    [
        ({"category": "432"}, "category", "A UNSPSC code has 2, 4, 6 or 8 digits, e.g. 43 or 43211500."),
        (
            {"published_from": "2026-07-13", "published_to": "2026-07-06"},
            "published_to",
            "The end of the range comes before its start.",
        ),
        ({"amount_min": "5000", "amount_max": "100"}, "amount_max", "The maximum is below the minimum."),
    ],
)
def test_a_malformed_search_is_refused_next_to_its_field(client, world, criteria, field, message):
    response = client.get(reverse("tender-list"), criteria)

    assert response.status_code == 400
    assert response.context["page"] is None
    assert response.context["form"].errors == {field: [in_spanish(message)]}


def test_the_pager_keeps_the_search(client, officer, clock):
    plan = published_plan(officer)
    for n in range(51):
        publish(officer, draft_tender(officer, plan=plan, title=f"Compra {n:03d}"))

    first = client.get(reverse("tender-list"), {"region": "15"})
    second = client.get(reverse("tender-list"), {"region": "15", "page": 2})

    assert len(codes(first)) == 50
    assert len(codes(second)) == 1
    assert "?region=15&amp;page=2" in first.content.decode()


def test_the_search_costs_four_queries(client, world, django_assert_num_queries):
    """The procedure types and regions for the selects, the count, and the page of rows."""
    with django_assert_num_queries(4):
        response = client.get(reverse("tender-list"), {"category": "43", "region": "15", "q": "computadoras"})

    assert codes(response) == [world["computers"].code]


def test_the_search_page_is_light_labelled_and_script_free(client, world):
    response = client.get(reverse("tender-list"))

    found = audit(response)
    assert found.lang == "es"
    assert found.unlabelled() == []
    assert found.scripts == 0
    assert len(response.content) < 50_000


# --- The tender's page ------------------------------------------------------------------------------


def test_the_tender_page_shows_the_process_its_lots_and_items(client, computers):
    response = client.get(reverse("tender-detail", args=[computers.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        computers.code,
        "Adquisición de computadoras",
        "Hospital Regional de Ica",
        "Adjudicación simplificada",
        in_spanish("Goods"),
        "PEN",
        "S/ 180,000.00",
        "Computadoras portátiles",
        "43211503",
        "Computadora portátil de 14 pulgadas",
        "unidad",
        "Almacén central, Av. Abancay 251, Lima",
        "22/07/2026 17:00",
    ):
        assert escape(text) in page, text
    assert [lot.number for lot in response.context["lots"]] == [1]
    item = response.context["lots"][0].items.all()[0]
    assert (item.unit_name, item.region_name) == ("unidad", "Lima")
    assert response.context["participants"] == 0
    found = audit(response)
    assert found.unlabelled() == []
    assert found.scripts == 0
    assert len(response.content) < 50_000


def test_the_tender_page_can_be_found_by_its_code(client, computers):
    response = client.get(reverse("tender-by-code", args=[computers.code]))

    assert response.status_code == 302
    assert response["Location"] == reverse("tender-detail", args=[computers.pk])


def test_a_draft_is_not_found_by_outsiders_and_shown_to_its_entity(client, world, officer):
    draft = world["draft"]
    url = reverse("tender-detail", args=[draft.pk])

    anonymous = client.get(url)
    by_code = client.get(reverse("tender-by-code", args=[draft.code]))
    client.force_login(world["cleaning_officer"])
    other_entity = client.get(url)
    client.force_login(officer)
    own = client.get(url)

    assert (anonymous.status_code, by_code.status_code, other_entity.status_code) == (404, 404, 404)
    assert "Borrador de mobiliario reservado" not in anonymous.content.decode()
    assert own.status_code == 200
    assert [step.state for step in own.context["timeline"]][:2] == ["coming", "coming"]


def viewer(kind: str, computers, supplier, participant_supplier):
    """The person looking at the computers' page, by what they are."""
    people = {
        "anonymous": lambda: None,
        "officer": lambda: computers.entity.memberships.get().user,
        "evaluator": lambda: member(OrganisationKind.CONTRACTING_ENTITY, Role.EVALUATOR, organisation=computers.entity),
        "other_officer": entity_officer,
        "participant": lambda: participant_supplier.owner,
        "supplier": lambda: supplier.owner,
        "reviewer": lambda: member(OrganisationKind.OVERSIGHT_BODY, Role.REVIEWER),
    }
    return people[kind]()


@pytest.mark.parametrize(
    "kind", ["anonymous", "officer", "evaluator", "other_officer", "participant", "supplier", "reviewer"]
)
def test_the_tender_page_renders_for_everyone(client, computers, clock, kind):
    supplier, participant_supplier = registered_supplier(1), registered_supplier(2)
    participant_register(
        actor=participant_supplier.owner, tender=computers, organisation=participant_supplier.organisation
    )
    user = viewer(kind, computers, supplier, participant_supplier)
    if user is not None:
        client.force_login(user)

    response = client.get(reverse("tender-detail", args=[computers.pk]))

    assert response.status_code == 200
    context = response.context
    assert context["participants"] == 1
    assert context["can_register"] is (kind == "supplier")
    assert (context["participant"] is not None) is (kind == "participant")
    register_url = reverse("tender-participate", args=[computers.pk])
    assert (register_url in response.content.decode()) is (kind == "supplier")


def steps(response) -> list[tuple[str, str]]:
    return [(step.status, step.state) for step in response.context["timeline"]]


def test_the_timeline_marks_each_stage_with_its_date(client, computers):
    open_enquiries(computers)

    response = client.get(reverse("tender-detail", args=[computers.pk]))

    assert steps(response) == [
        ("published", "done"),
        ("enquiries", "current"),
        ("integrated_bases", "coming"),
        ("bidding", "coming"),
        ("opening", "coming"),
        ("evaluation", "coming"),
        ("awarded", "coming"),
        ("appeal_window", "coming"),
        ("consented", "coming"),
        ("contracted", "coming"),
        ("completed", "coming"),
    ]
    timeline = response.context["timeline"]
    assert timeline[0] == TimelineStep(
        status="published",
        label=in_spanish("Published (call for tender)"),
        moment=MONDAY_9AM,
        until=False,
        state="done",
    )
    assert (timeline[1].moment, timeline[1].until) == (ENQUIRIES_END, True)
    assert (timeline[3].moment, timeline[3].until) == (BIDS_DUE, True)
    assert timeline[5].moment is None
    page = response.content.decode()
    assert 'aria-current="step"' in page
    assert "09/07/2026 17:00" in page  # the end of the enquiries, in Lima time


def test_a_procedure_without_enquiries_has_no_such_stage(client, world):
    response = client.get(reverse("tender-detail", args=[world["cleaning"].pk]))

    assert steps(response) == [
        ("published", "current"),
        ("bidding", "coming"),
        ("opening", "coming"),
        ("evaluation", "coming"),
        ("awarded", "coming"),
        ("contracted", "coming"),
        ("completed", "coming"),
    ]


def test_a_cancelled_process_shows_where_it_stopped_and_why(client, computers, officer):
    open_bidding(computers)
    tender_cancel(actor=officer, tender=computers, reason="El requerimiento fue atendido por otra vía")

    response = client.get(reverse("tender-detail", args=[computers.pk]))

    assert steps(response)[:5] == [
        ("published", "done"),
        ("enquiries", "done"),
        ("integrated_bases", "done"),
        ("bidding", "done"),
        ("opening", "not_reached"),
    ]
    assert {state for _status, state in steps(response)[4:]} == {"not_reached"}
    page = response.content.decode()
    assert "El requerimiento fue atendido por otra vía" in page
    assert escape(in_spanish("Cancelled")) in page


# --- Documents and published answers ------------------------------------------------------------------


@pytest.fixture
def answered(computers, officer, clock, media):
    """A participant asked during the enquiries; the entity answered and published the integrated bases."""
    asker = registered_supplier(7, legal_name="Preguntona Andina S.A.C.")
    participant_register(actor=asker.owner, tender=computers, organisation=asker.organisation)
    open_enquiries(computers)
    question = question_ask(
        actor=asker.owner, tender=computers, text="¿Se aceptan equipos con 16 GB de memoria?", kind="question"
    )
    question_answer(actor=officer, question=question, answer="Sí, 16 GB o más.")
    clock.set(ENQUIRIES_END + timedelta(minutes=1))
    answers_publish(
        actor=officer, tender=computers, document_file=ContentFile(BASES, name="bases.pdf"), title="Bases integradas"
    )
    computers.refresh_from_db()
    return {"tender": computers, "asker": asker}


def test_published_answers_are_shown_without_who_asked(client, answered):
    tender, asker = answered["tender"], answered["asker"]

    response = client.get(reverse("tender-detail", args=[tender.pk]))

    page = response.content.decode()
    assert escape("¿Se aceptan equipos con 16 GB de memoria?") in page
    assert "Sí, 16 GB o más." in page
    for secret in (asker.legal_name, asker.ruc, asker.owner.email, asker.owner.get_full_name(), asker.owner.username):
        assert escape(secret) not in page, secret


def test_unpublished_questions_are_not_shown(client, computers, clock):
    asker = registered_supplier(7)
    participant_register(actor=asker.owner, tender=computers, organisation=asker.organisation)
    open_enquiries(computers)
    question_ask(actor=asker.owner, tender=computers, text="¿Pregunta aún sin respuesta publicada?")

    response = client.get(reverse("tender-detail", args=[computers.pk]))

    assert response.context["questions"] == []
    assert escape("¿Pregunta aún sin respuesta publicada?") not in response.content.decode()


def test_published_documents_are_listed_and_downloaded(client, answered):
    tender = answered["tender"]
    document = tender.documents.get()

    page = client.get(reverse("tender-detail", args=[tender.pk]))
    download = client.get(reverse("tender-document", args=[tender.pk, document.pk]))

    url = reverse("tender-document", args=[tender.pk, document.pk])
    assert f'href="{url}"' in page.content.decode()
    assert document.sha256 in page.content.decode()
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == BASES
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_document_of_another_tender_or_unknown_is_not_found(client, answered, world):
    document = answered["tender"].documents.get()

    other = client.get(reverse("tender-document", args=[world["cleaning"].pk, document.pk]))
    unknown = client.get(reverse("tender-document", args=[answered["tender"].pk, document.pk + 1000]))

    assert (other.status_code, unknown.status_code) == (404, 404)


# --- What each person sees of the bids -----------------------------------------------------------------

PRICE_TEXTS = ("4321.98", "4,321.98", "4.321,98", "4321,98", "987.65", "987,65")


@pytest.fixture
def bidding(computers, clock):
    """Two suppliers bid for the computers' only lot, an hour before the deadline."""
    first = registered_supplier(1, legal_name="Primera Postora S.A.C.")
    second = registered_supplier(2, legal_name="Segunda Postora S.A.C.")
    for supplier in (first, second):
        participant_register(actor=supplier.owner, tender=computers, organisation=supplier.organisation)
    open_bidding(computers)
    clock.set(BIDS_DUE - timedelta(hours=1))
    lot = computers.lots.get()
    bids = {}
    for supplier, price in ((first, "4321.98"), (second, "987.65")):
        bids[supplier.ruc], _receipt = bid_submit(
            actor=supplier.owner,
            lot=lot,
            organisation=supplier.organisation,
            prices={1: Decimal(price)},
            technical={"delivery_days": 10, "notes": "Marca Andina"},
            idempotency_key=f"key-{supplier.ruc}",
        )
    return {"tender": computers, "first": first, "second": second, "bids": bids}


def assert_no_bid_content(page: str):
    for text in PRICE_TEXTS:
        assert text not in page, text
    assert "Marca Andina" not in page


def test_the_entitys_officer_sees_how_many_bids_never_who_or_what(client, bidding, officer):
    client.force_login(officer)

    response = client.get(reverse("tender-detail", args=[bidding["tender"].pk]))

    page = response.content.decode()
    assert [(row.lot_number, row.live_bids) for row in response.context["bid_counts"]] == [(1, 2)]
    assert response.context["own_bids"] == []
    for supplier in (bidding["first"], bidding["second"]):
        assert supplier.legal_name not in page
        assert supplier.ruc not in page
        assert bidding["bids"][supplier.ruc].digest not in page
    assert_no_bid_content(page)


def test_a_bidder_sees_its_own_bid_and_nothing_of_the_other(client, bidding):
    first, second = bidding["first"], bidding["second"]
    client.force_login(second.owner)

    response = client.get(reverse("tender-detail", args=[bidding["tender"].pk]))

    page = response.content.decode()
    own = bidding["bids"][second.ruc]
    assert [(bid.bid_id, bid.status) for bid in response.context["own_bids"]] == [(own.pk, "submitted")]
    assert response.context["bid_counts"] == []
    assert own.digest in page
    assert bidding["bids"][first.ruc].digest not in page
    assert first.legal_name not in page
    assert first.ruc not in page
    assert_no_bid_content(page)


@pytest.mark.parametrize("kind", ["anonymous", "participant_without_bid", "other_supplier", "other_officer"])
def test_outsiders_see_no_count_no_bidder_no_price(client, bidding, kind):
    if kind == "participant_without_bid":
        third = registered_supplier(3)
        participant_register(actor=third.owner, tender=bidding["tender"], organisation=third.organisation)
        client.force_login(third.owner)
    elif kind == "other_supplier":
        client.force_login(registered_supplier(4).owner)
    elif kind == "other_officer":
        client.force_login(entity_officer())

    response = client.get(reverse("tender-detail", args=[bidding["tender"].pk]))

    page = response.content.decode()
    assert (response.context["bid_counts"], response.context["own_bids"]) == ([], [])
    assert not shown(response, "Bids received")
    for supplier in (bidding["first"], bidding["second"]):
        assert supplier.legal_name not in page
        assert bidding["bids"][supplier.ruc].digest not in page
    assert_no_bid_content(page)


def test_the_tender_page_never_reads_the_sealed_content(client, bidding, officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(officer)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("tender-detail", args=[bidding["tender"].pk]))

    assert not [q["sql"] for q in queries.captured_queries if '"sealed"' in q["sql"]]
    assert Tender.objects.get(pk=bidding["tender"].pk).status == "bidding"


def test_the_tender_page_costs_a_fixed_number_of_queries(client, bidding, django_assert_num_queries):
    """Bidders reload it at the deadline. Anonymous: the tender, lots, items, regions, documents,
    answers, participants. A bidder adds the session, the user, its organisations and roles, its
    participation, the officer check, its own bids and the unread notifications."""
    url = reverse("tender-detail", args=[bidding["tender"].pk])
    with django_assert_num_queries(7):
        client.get(url)
    client.force_login(bidding["first"].owner)
    with django_assert_num_queries(15):
        response = client.get(url)

    assert len(response.context["own_bids"]) == 1
