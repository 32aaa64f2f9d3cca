"""The contracting entity's officer pages: the dashboard, the plan (PAC), the tender draft with lots and
items, the chronogram in Lima time, publication, cancellation, the deadline extension, answers with
the integrated bases, and the bids as counts only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from portal.accounts.enums import OrganisationKind, Role
from procurement.enums import PlanStatus, TenderStatus
from procurement.forms_officer import TIMELINE_LABELS, problem_message
from procurement.models import Item, Lot, Plan, Question, Tender, TenderDocument
from procurement.services.bids import bid_submit
from procurement.services.participation import participant_register, question_answer, question_ask
from procurement.services.plans import plan_create
from procurement.services.tenders import tender_publish, tender_set_timeline
from procurement.timeline import LIMA, Problem
from tests.factories import member
from tests.portal.api_helpers import in_spanish
from tests.portal.test_accessibility import audit
from tests.procurement.factories import (
    MONDAY_9AM,
    draft_tender,
    earliest,
    entity_officer,
    footprint,
    item_data,
    line_data,
    lot_data,
    open_bidding,
    open_enquiries,
    participation_footprint,
    procedure,
    published_plan,
)
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db

BASES = b"%PDF-1.4\nBases integradas\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def signed_in(client, who):
    if who is not None:
        client.force_login(who)
    return client


def published_tender(officer, **kwargs):
    tender = draft_tender(officer, **kwargs)
    tender = tender_set_timeline(actor=officer, tender=tender, timeline=earliest(MONDAY_9AM))
    return tender_publish(actor=officer, tender=tender)


def lima(moment) -> tuple[str, str]:
    """A moment as the chronogram form's date and time inputs carry it (Lima time)."""
    local = moment.astimezone(LIMA)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M")


def rows(prefix: str, forms: list[dict], *, total: int | None = None) -> dict:
    """POST data for a formset: its management form and one dict per row."""
    data = {f"{prefix}-TOTAL_FORMS": str(total if total is not None else len(forms)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, values in enumerate(forms):
        data.update({f"{prefix}-{index}-{name}": value for name, value in values.items()})
    return data


def plan_line_row(**overrides) -> dict:
    values = {
        "description": "Computadoras de escritorio",
        "object": "goods",
        "procedure_type": str(procedure().pk),
        "unspsc_code": "43211500",
        "estimated_value": "250,000.00",
        "planned_month": "7",
    }
    values.update(overrides)
    return values


def item_row(**overrides) -> dict:
    values = {
        "unspsc_code": "43211503",
        "description": "Computadora portátil de 14 pulgadas",
        "quantity": "40",
        "unit": "C62",
        "delivery_place": "Almacén central, Av. Abancay 251, Lima",
        "region_code": "15",
    }
    values.update(overrides)
    return values


def tender_post(plan_line, *, lots: list[tuple[dict, list[dict]]], **overrides) -> dict:
    data = {
        "plan_line": str(plan_line.pk),
        "title": "Adquisición de equipos de cómputo",
        "description": "Para las sedes regionales",
        "currency": "PEN",
        "action": "save",
    }
    data.update(overrides)
    data.update(rows("lot", [lot for lot, _items in lots]))
    for index, (_lot, items) in enumerate(lots):
        data.update(rows(f"lot-{index}-item", items))
    return data


TWO_LOTS = [
    (
        {"title": "Computadoras portátiles", "reference_value": "180,000.00", "mype_reserved": "on"},
        [item_row(), item_row(description="Mouse inalámbrico", quantity="40.5", unit="H87")],
    ),
    (
        {"title": "Impresoras", "reference_value": "45000"},
        [item_row(unspsc_code="43212105", description="Impresora láser", quantity="5", region_code="04")],
    ),
]


# --- Every page renders for the entity's officer ------------------------------------------------------------


@pytest.fixture
def objects(officer):
    """A published plan with a draft version after it, a draft tender and a published one."""
    plan = published_plan(officer)
    draft_plan = plan_create(actor=officer, entity=plan.entity, fiscal_year=2026, lines=[line_data()])
    draft = draft_tender(officer, plan=plan, title="Borrador")
    published = published_tender(officer, plan=plan)
    return {"plan": plan, "draft_plan": draft_plan, "draft": draft, "published": published}


PAGES = [
    ("officer-home", None),
    ("officer-plans", None),
    ("officer-plan-create", None),
    ("officer-tender-create", None),
    ("officer-plan", "plan"),
    ("officer-plan", "draft_plan"),
    ("officer-plan-edit", "draft_plan"),
    ("officer-plan-modify", "plan"),
    ("officer-tender", "draft"),
    ("officer-tender", "published"),
    ("officer-tender-timeline", "draft"),
]


@pytest.mark.parametrize(("name", "target"), PAGES)
def test_every_page_renders_for_the_officer_labelled_and_without_scripts(client, objects, officer, name, target):
    url = reverse(name, args=[objects[target].pk] if target else [])

    response = signed_in(client, officer).get(url)

    assert response.status_code == 200
    found = audit(response)
    assert found.lang == "es"
    assert found.unlabelled() == []
    assert found.scripts == 0


def test_an_administrator_of_the_entity_may_use_the_pages(client, objects, entity):
    administrator = member(OrganisationKind.CONTRACTING_ENTITY, Role.ADMINISTRATOR, organisation=entity)

    response = signed_in(client, administrator).get(reverse("officer-tender", args=[objects["draft"].pk]))

    assert response.status_code == 200


# --- Who may not -----------------------------------------------------------------------------------------------


def outsiders(entity) -> dict:
    return {
        "other_entity_officer": entity_officer(),
        "evaluator": member(OrganisationKind.CONTRACTING_ENTITY, Role.EVALUATOR, organisation=entity),
        "supplier": member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE),
    }


# (page, object): what each outsider gets. A draft of another entity is not found; what is public, or
# what the entity's own members may see, is forbidden to anyone who does not run the entity's procurement.
MATRIX = [
    ("officer-home", None, {"other_entity_officer": 200, "evaluator": 200, "supplier": 403}),
    ("officer-plans", None, {"other_entity_officer": 200, "evaluator": 403, "supplier": 403}),
    ("officer-plan-create", None, {"other_entity_officer": 200, "evaluator": 403, "supplier": 403}),
    ("officer-tender-create", None, {"other_entity_officer": 200, "evaluator": 403, "supplier": 403}),
    ("officer-plan", "plan", {"other_entity_officer": 403, "evaluator": 403, "supplier": 403}),
    ("officer-plan", "draft_plan", {"other_entity_officer": 404, "evaluator": 403, "supplier": 404}),
    ("officer-plan-edit", "draft_plan", {"other_entity_officer": 404, "evaluator": 403, "supplier": 404}),
    ("officer-plan-modify", "plan", {"other_entity_officer": 403, "evaluator": 403, "supplier": 403}),
    ("officer-tender", "draft", {"other_entity_officer": 404, "evaluator": 403, "supplier": 404}),
    ("officer-tender", "published", {"other_entity_officer": 403, "evaluator": 403, "supplier": 403}),
    ("officer-tender-timeline", "draft", {"other_entity_officer": 404, "evaluator": 403, "supplier": 404}),
]


@pytest.mark.parametrize("who", ["other_entity_officer", "evaluator", "supplier"])
@pytest.mark.parametrize("case", MATRIX, ids=lambda case: f"{case[0]}-{case[1]}")
def test_pages_refuse_who_does_not_run_the_entitys_procurement(client, objects, entity, who, case):
    name, target, expected = case
    url = reverse(name, args=[objects[target].pk] if target else [])

    response = signed_in(client, outsiders(entity)[who]).get(url)

    assert response.status_code == expected[who]
    if expected[who] == 403:
        assert "<h1>" in response.content.decode()  # the portal's error page, with the reason
        assert response.templates[0].name == "errors/error.html"


def test_a_committee_member_starts_from_the_processes_to_evaluate(client, objects, entity):
    evaluator = outsiders(entity)["evaluator"]
    Tender.objects.filter(pk=objects["draft"].pk).update(opened_at=MONDAY_9AM)  # as if its bids were opened

    page = signed_in(client, evaluator).get(reverse("officer-home"))

    assert page.templates[0].name == "procurement/officer/evaluator_home.html"
    content = page.content.decode()
    assert reverse("officer-tender-evaluation", args=[objects["draft"].pk]) in content
    assert reverse("officer-tender-create") not in content  # the committee does not run procurement


@pytest.mark.parametrize(("name", "target"), PAGES)
def test_anonymous_people_are_sent_to_sign_in(client, objects, name, target):
    url = reverse(name, args=[objects[target].pk] if target else [])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(
    "action",
    [
        ("officer-plan-publish", "draft_plan", {}),
        ("officer-tender-publish", "draft", {}),
        ("officer-tender-cancel", "published", {"reason": "Ya no se necesita"}),
        ("officer-tender-extend", "published", {}),
        ("officer-answers-publish", "published", {"title": "Bases"}),
    ],
    ids=lambda action: action[0],
)
@pytest.mark.parametrize("who", ["other_entity_officer", "evaluator", "supplier", "anonymous"])
def test_actions_by_others_change_nothing(client, objects, entity, action, who):
    name, target, data = action
    person = None if who == "anonymous" else outsiders(entity)[who]
    before = participation_footprint(objects["published"])
    plan_status = Plan.objects.get(pk=objects["draft_plan"].pk).status

    response = signed_in(client, person).post(reverse(name, args=[objects[target].pk]), data)

    if person is None:
        assert response.status_code == 302
    else:
        hidden = target in {"draft", "draft_plan"} and who != "evaluator"
        assert response.status_code == (404 if hidden else 403)
    assert participation_footprint(objects["published"]) == before
    assert Plan.objects.get(pk=objects["draft_plan"].pk).status == plan_status
    assert Tender.objects.get(pk=objects["draft"].pk).status == TenderStatus.DRAFT


def test_a_post_without_the_csrf_token_is_refused_and_writes_nothing(objects, officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    before = footprint()

    response = client.post(reverse("officer-plan-publish", args=[objects["draft_plan"].pk]))

    assert response.status_code == 403
    assert footprint() == before
    assert Plan.objects.get(pk=objects["draft_plan"].pk).status == PlanStatus.DRAFT


# --- The dashboard ---------------------------------------------------------------------------------------------


def test_the_dashboard_shows_plans_and_tenders_by_status_and_what_needs_action(client, officer, entity, clock):
    plan = published_plan(officer)
    draft_plan = plan_create(actor=officer, entity=entity, fiscal_year=2027, lines=[line_data()])
    no_chronogram = draft_tender(officer, plan=plan, title="Sin cronograma")
    enquiries = open_enquiries(published_tender(officer, plan=plan))
    supplier = registered_supplier(1)
    participant_register(actor=supplier.owner, tender=enquiries, organisation=supplier.organisation)
    question_ask(actor=supplier.owner, tender=enquiries, text="¿Se acepta otra marca?")

    response = signed_in(client, officer).get(reverse("officer-home"))

    assert response.status_code == 200
    todo = {row["tender"].pk: row["next_step"] for row in response.context["todo"]}
    assert todo == {
        no_chronogram.pk: in_spanish("Set the chronogram"),
        enquiries.pk: in_spanish("%(n)s question to answer") % {"n": 1},
    }
    assert [p.pk for p in response.context["draft_plans"]] == [draft_plan.pk]
    assert [p.pk for p in response.context["current_plans"]] == [plan.pk]
    groups = {label: [row["tender"].pk for row in found] for label, found in response.context["groups"]}
    assert groups == {
        TenderStatus.DRAFT.label: [no_chronogram.pk],
        TenderStatus.ENQUIRIES.label: [enquiries.pk],
    }
    assert reverse("officer-tender", args=[enquiries.pk]) in response.content.decode()


def test_the_dashboard_reads_a_fixed_number_of_queries(client, officer, entity, django_assert_max_num_queries):
    plan = published_plan(officer)
    for _ in range(5):
        draft_tender(officer, plan=plan)
    client = signed_in(client, officer)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("officer-home"))

    assert response.status_code == 200


# --- The plan (PAC) --------------------------------------------------------------------------------------------


def test_a_plan_is_drafted_with_its_lines_and_blank_rows_are_left_out(client, officer, entity):
    data = {"fiscal_year": "2026", "action": "save"}
    data.update(
        rows(
            "lines",
            [
                plan_line_row(),
                plan_line_row(
                    description="", object="", procedure_type="", unspsc_code="", estimated_value="", planned_month=""
                ),
                plan_line_row(
                    description="Servicio de limpieza",
                    object="services",
                    unspsc_code="76111500",
                    estimated_value="90000",
                    planned_month="3",
                ),
            ],
        )
    )

    response = signed_in(client, officer).post(reverse("officer-plan-create"), data)

    plan = Plan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("officer-plan", args=[plan.pk])
    assert (plan.entity_id, plan.fiscal_year, plan.version, plan.status) == (entity.pk, 2026, 1, PlanStatus.DRAFT)
    assert list(
        plan.lines.values_list("number", "description", "object", "unspsc_code", "estimated_value", "planned_month")
    ) == [
        (1, "Computadoras de escritorio", "goods", "43211500", Decimal("250000.00"), 7),
        (2, "Servicio de limpieza", "services", "76111500", Decimal("90000.00"), 3),
    ]


def test_more_rows_are_added_without_javascript_keeping_what_was_typed(client, officer):
    data = {"fiscal_year": "2026", "action": "add_rows"}
    data.update(rows("lines", [plan_line_row(description="Sillas ergonómicas")], total=3))
    before = footprint()

    response = signed_in(client, officer).post(reverse("officer-plan-create"), data)

    assert response.status_code == 200
    forms = response.context["forms"]
    assert forms.lines.total_form_count() == 4
    assert forms.lines.forms[0].initial["description"] == "Sillas ergonómicas"
    assert 'value="Sillas ergonómicas"' in response.content.decode()
    assert forms.has_errors is False
    assert footprint() == before


def test_a_plan_line_the_service_refuses_is_marked_on_its_own_row(client, officer):
    data = {"fiscal_year": "2026", "action": "save"}
    data.update(
        rows(
            "lines",
            [
                plan_line_row(),
                {},  # a blank row in between: the service's lines[1] is the form's row 2
                plan_line_row(estimated_value="9000000"),
            ],
        )
    )
    before = footprint()

    response = signed_in(client, officer).post(reverse("officer-plan-create"), data)

    assert response.status_code == 400
    forms = response.context["forms"]
    assert forms.lines.forms[2].errors == {
        "estimated_value": [
            in_spanish("A %(procedure)s is for values from %(low)s to %(high)s.")
            % {"procedure": "Adjudicación simplificada", "low": "42800.00", "high": "481499.99"}
        ]
    }
    assert forms.lines.forms[0].errors == {}
    assert footprint() == before


def test_a_plan_is_published_then_modified_as_a_new_version(client, officer, entity):
    client = signed_in(client, officer)
    data = {"fiscal_year": "2026", "action": "save"}
    data.update(rows("lines", [plan_line_row()]))
    client.post(reverse("officer-plan-create"), data)
    first = Plan.objects.get()

    published = client.post(reverse("officer-plan-publish", args=[first.pk]))
    modify_page = client.get(reverse("officer-plan-modify", args=[first.pk]))
    modified = {"action": "save"}
    modified.update(rows("lines", [plan_line_row(estimated_value="300000.00"), plan_line_row(description="Monitores")]))
    saved = client.post(reverse("officer-plan-modify", args=[first.pk]), modified)
    second = Plan.objects.get(version=2)
    published_again = client.post(reverse("officer-plan-publish", args=[second.pk]))

    assert published.status_code == 302
    assert modify_page.status_code == 200
    assert modify_page.context["forms"].lines.forms[0].initial["description"] == "Computadoras de escritorio"
    assert saved.status_code == 302
    assert saved["Location"] == reverse("officer-plan", args=[second.pk])
    assert published_again.status_code == 302
    assert sorted(Plan.objects.values_list("version", "fiscal_year", "status")) == [
        (1, 2026, PlanStatus.SUPERSEDED),
        (2, 2026, PlanStatus.PUBLISHED),
    ]
    assert list(second.lines.values_list("description", "estimated_value")) == [
        ("Computadoras de escritorio", Decimal("300000.00")),
        ("Monitores", Decimal("250000.00")),
    ]


def test_a_draft_plan_is_corrected_as_its_next_draft_version(client, officer, entity):
    draft = plan_create(actor=officer, entity=entity, fiscal_year=2026, lines=[line_data()])
    data = {"action": "save"}
    data.update(rows("lines", [plan_line_row(description="Computadoras y monitores")]))

    response = signed_in(client, officer).post(reverse("officer-plan-edit", args=[draft.pk]), data)

    assert response.status_code == 302
    assert list(Plan.objects.order_by("version").values_list("version", "status")) == [
        (1, PlanStatus.DRAFT),
        (2, PlanStatus.DRAFT),
    ]
    assert Plan.objects.get(version=2).lines.get().description == "Computadoras y monitores"


def test_publishing_a_published_plan_again_is_a_conflict_that_changes_nothing(client, officer):
    plan = published_plan(officer)
    before = footprint()

    response = signed_in(client, officer).post(reverse("officer-plan-publish", args=[plan.pk]))

    assert response.status_code == 409
    assert escape(in_spanish("Only a draft plan can be published.")) in response.content.decode()
    assert footprint() == before


# --- The tender draft ------------------------------------------------------------------------------------------


def test_a_tender_is_drafted_from_a_plan_line_with_two_lots_and_their_items(client, officer, entity):
    plan = published_plan(officer)
    line = plan.lines.get()
    client = signed_in(client, officer)

    page = client.get(reverse("officer-tender-create") + f"?line={line.pk}")
    response = client.post(reverse("officer-tender-create"), tender_post(line, lots=TWO_LOTS))

    assert page.status_code == 200
    assert page.context["forms"].header["plan_line"].value() == str(line.pk)
    tender = Tender.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("officer-tender-timeline", args=[tender.pk])
    assert (tender.entity_id, tender.plan_line_id, tender.procedure_type_id, tender.object, tender.status) == (
        entity.pk,
        line.pk,
        procedure().pk,
        "goods",
        TenderStatus.DRAFT,
    )
    assert (tender.title, tender.currency, tender.reference_value) == (
        "Adquisición de equipos de cómputo",
        "PEN",
        Decimal("225000.00"),
    )
    assert list(
        Lot.objects.filter(tender=tender).values_list("number", "title", "reference_value", "mype_reserved")
    ) == [
        (1, "Computadoras portátiles", Decimal("180000.00"), True),
        (2, "Impresoras", Decimal("45000.00"), False),
    ]
    items = Item.objects.filter(lot__tender=tender).order_by("lot__number", "number")
    assert list(
        items.values_list("lot__number", "number", "unspsc_code", "description", "quantity", "unit", "region_code")
    ) == [
        (1, 1, "43211503", "Computadora portátil de 14 pulgadas", Decimal("40.000"), "C62", "15"),
        (1, 2, "43211503", "Mouse inalámbrico", Decimal("40.500"), "H87", "15"),
        (2, 1, "43212105", "Impresora láser", Decimal("5.000"), "C62", "04"),
    ]


def test_an_item_the_service_refuses_is_marked_on_its_own_field_and_nothing_is_created(client, officer):
    plan = published_plan(officer)
    lots = [
        TWO_LOTS[0],
        # Lot 2's first row is left blank: the service's lots[1].items[0] is the form's second row.
        (TWO_LOTS[1][0], [{}, item_row(quantity="0")]),
    ]
    before = footprint()

    response = signed_in(client, officer).post(
        reverse("officer-tender-create"), tender_post(plan.lines.get(), lots=lots)
    )

    assert response.status_code == 400
    forms = response.context["forms"]
    assert forms.lots[1].items.forms[1].errors == {"quantity": [in_spanish("The quantity must be more than zero.")]}
    assert forms.lots[1].items.forms[0].errors == {}
    assert all(form.errors == {} for form in forms.lots[0].items.forms)
    assert escape(in_spanish("The quantity must be more than zero.")) in response.content.decode()
    assert footprint() == before


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        ({"title": " "}, ("header", "title"), "Give the tender a title."),
        (
            {"lot-1-reference_value": "0"},
            ("lot", 1, "reference_value"),
            "The lot's reference value must be more than zero.",
        ),
        ({"lot-0-item-0-unspsc_code": "4321"}, ("item", 0, 0, "unspsc_code"), "A UNSPSC code has 8 digits."),
        ({"lot-0-item-1-region_code": ""}, ("item", 0, 1, "region_code"), "Choose the delivery region."),
    ],
)
def test_service_errors_land_next_to_the_field_they_name(client, officer, change, where, message):
    plan = published_plan(officer)
    data = tender_post(plan.lines.get(), lots=TWO_LOTS)
    data.update(change)
    before = footprint()

    response = signed_in(client, officer).post(reverse("officer-tender-create"), data)

    assert response.status_code == 400
    forms = response.context["forms"]
    if where[0] == "header":
        errors = forms.header.errors[where[1]]
    elif where[0] == "lot":
        errors = forms.lots[where[1]].form.errors[where[2]]
    else:
        errors = forms.lots[where[1]].items.forms[where[2]].errors[where[3]]
    assert errors == [in_spanish(message)]
    assert footprint() == before


def test_a_lot_and_an_item_are_added_without_javascript(client, officer):
    plan = published_plan(officer)
    client = signed_in(client, officer)
    data = tender_post(plan.lines.get(), lots=[TWO_LOTS[0]], action="add_lot")
    before = footprint()

    with_lot = client.post(reverse("officer-tender-create"), data)
    data.pop("action")
    data["add_item"] = "0"
    with_item = client.post(reverse("officer-tender-create"), data)

    assert with_lot.status_code == 200
    lots = with_lot.context["forms"].lots
    assert len(lots) == 2
    assert lots[0].form.initial["title"] == "Computadoras portátiles"
    assert [form.initial.get("description") for form in lots[0].items.forms[:2]] == [
        "Computadora portátil de 14 pulgadas",
        "Mouse inalámbrico",
    ]
    assert with_lot.context["forms"].header.initial["title"] == "Adquisición de equipos de cómputo"
    assert with_item.status_code == 200
    assert with_item.context["forms"].lots[0].items.total_form_count() == 4  # two typed, two blank
    assert footprint() == before


def test_only_the_entitys_published_plan_lines_can_be_chosen(client, officer):
    plan = published_plan(officer)
    other_officer = entity_officer()
    others = published_plan(other_officer)
    before = footprint()

    response = signed_in(client, officer).post(
        reverse("officer-tender-create"), tender_post(others.lines.get(), lots=TWO_LOTS)
    )

    assert response.status_code == 400
    assert list(response.context["forms"].header.errors) == ["plan_line"]
    assert list(response.context["forms"].header.fields["plan_line"].queryset) == [plan.lines.get()]
    assert footprint() == before


# --- The chronogram ---------------------------------------------------------------------------------------------


def timeline_post(timeline) -> dict:
    data = {}
    for name in ("published_at", "enquiries_end", "integrated_bases_at", "bids_due", "opening_at"):
        day, time = lima(getattr(timeline, name))
        data[f"{name}_0"], data[f"{name}_1"] = day, time
    return data


def test_the_chronogram_is_proposed_from_the_earliest_valid_one_in_lima_time(client, officer):
    tender = draft_tender(officer)

    response = signed_in(client, officer).get(reverse("officer-tender-timeline", args=[tender.pk]))

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields) == ["published_at", "enquiries_end", "integrated_bases_at", "bids_due", "opening_at"]
    # 09:00 Lima: the next five-minute mark a minute away is 09:05; the periods close at 17:00 Lima.
    proposed = earliest(datetime(2026, 7, 6, 14, 5, tzinfo=UTC))
    assert form.initial["published_at"] == proposed.published_at
    assert form.initial["bids_due"] == proposed.bids_due
    content = response.content.decode()
    assert 'value="2026-07-06"' in content
    assert 'value="09:05"' in content
    assert 'value="17:00"' in content


def test_the_chronogram_is_saved_from_lima_dates_and_times(client, officer, clock):
    tender = draft_tender(officer)
    timeline = earliest(MONDAY_9AM + timedelta(minutes=30))

    response = signed_in(client, officer).post(
        reverse("officer-tender-timeline", args=[tender.pk]), timeline_post(timeline)
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("officer-tender", args=[tender.pk])
    tender.refresh_from_db()
    assert (tender.published_at, tender.enquiries_end, tender.bids_due) == (
        datetime(2026, 7, 6, 14, 30, tzinfo=UTC),
        datetime(2026, 7, 9, 22, 0, tzinfo=UTC),
        timeline.bids_due,
    )


def test_a_period_too_short_is_refused_with_the_message_next_to_its_field(client, officer):
    tender = draft_tender(officer)
    timeline = earliest(MONDAY_9AM + timedelta(minutes=30))
    data = timeline_post(timeline)
    # Bids due on Tuesday 14 July, two working days after the integrated bases (Friday 10 July), where an
    # adjudicación simplificada needs 8.
    short = timeline.integrated_bases_at + timedelta(days=4)
    data["bids_due_0"], data["bids_due_1"] = lima(short)
    data["opening_at_0"], data["opening_at_1"] = lima(short)
    before = footprint()

    response = signed_in(client, officer).post(reverse("officer-tender-timeline", args=[tender.pk]), data)

    assert response.status_code == 400
    expected = in_spanish("At least %(days)s %(unit)s are required; this gives %(counted)s.") % {
        "days": 8,
        "unit": in_spanish("working days"),
        "counted": 2,
    }
    assert response.context["form"].errors == {"bids_due": [expected]}
    assert escape(expected) in response.content.decode()
    assert footprint() == before
    tender.refresh_from_db()
    assert (tender.published_at, tender.bids_due) == (None, None)


def test_a_publication_in_the_past_is_refused_next_to_its_field(client, officer):
    tender = draft_tender(officer)
    data = timeline_post(earliest(MONDAY_9AM - timedelta(hours=1)))

    response = signed_in(client, officer).post(reverse("officer-tender-timeline", args=[tender.pk]), data)

    assert response.status_code == 400
    assert response.context["form"].errors == {"published_at": [in_spanish("The publication cannot be in the past.")]}
    tender.refresh_from_db()
    assert tender.bids_due is None


def test_the_chronogram_of_a_published_tender_cannot_be_set(client, officer):
    tender = published_tender(officer)

    response = signed_in(client, officer).get(reverse("officer-tender-timeline", args=[tender.pk]))

    assert response.status_code == 409


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        (Problem("bids_due", "must come after integrated bases at"), "It must come after “%(before)s”."),
        (Problem("auction_at", "this procedure has no such stage"), "This procedure has no such stage."),
        (Problem("bids_due", "something new"), "something new"),
    ],
)
def test_chronogram_problems_are_shown_in_the_readers_language(problem, message):
    expected = in_spanish(message)
    if "%(before)s" in message:
        expected %= {"before": in_spanish(TIMELINE_LABELS["integrated_bases_at"])}

    with translation.override("es"):
        assert problem_message(problem) == expected


# --- Publication, cancellation, deadline extension --------------------------------------------------------------------


def test_a_draft_with_its_chronogram_is_published_from_its_page(client, officer, clock):
    tender = draft_tender(officer)
    tender_set_timeline(actor=officer, tender=tender, timeline=earliest(MONDAY_9AM + timedelta(minutes=5)))
    client = signed_in(client, officer)

    page = client.get(reverse("officer-tender", args=[tender.pk]))
    response = client.post(reverse("officer-tender-publish", args=[tender.pk]))

    assert page.context["can_publish"] is True
    assert response.status_code == 302
    tender.refresh_from_db()
    assert (tender.status, tender.published_at) == (TenderStatus.PUBLISHED, MONDAY_9AM)


def test_a_tender_scheduled_for_later_is_not_published_now(client, officer):
    tender = draft_tender(officer)
    tender_set_timeline(actor=officer, tender=tender, timeline=earliest(MONDAY_9AM + timedelta(days=1)))
    before = footprint()

    response = signed_in(client, officer).post(reverse("officer-tender-publish", args=[tender.pk]))

    assert response.status_code == 409
    assert (
        escape(in_spanish("This tender is scheduled for later; change its chronogram to publish it now."))
        in response.content.decode()
    )
    assert footprint() == before
    assert Tender.objects.get(pk=tender.pk).status == TenderStatus.DRAFT


def test_cancelling_needs_a_reason(client, officer):
    tender = published_tender(officer)
    client = signed_in(client, officer)
    before = footprint()

    refused = client.post(reverse("officer-tender-cancel", args=[tender.pk]), {"reason": "  "})
    unchanged = footprint()
    cancelled = client.post(reverse("officer-tender-cancel", args=[tender.pk]), {"reason": "El área usuaria desistió"})

    assert refused.status_code == 400
    assert refused.context["cancel_form"].errors == {"reason": [in_spanish("Write the reason.")]}
    assert unchanged == before
    assert cancelled.status_code == 302
    tender.refresh_from_db()
    assert (tender.status, tender.status_reason) == (TenderStatus.CANCELLED, "El área usuaria desistió")
    assert set(tender.lots.values_list("status", flat=True)) == {"cancelled"}


def test_a_draft_shows_no_cancel_form(client, officer):
    tender = draft_tender(officer)

    response = signed_in(client, officer).get(reverse("officer-tender", args=[tender.pk]))

    assert response.context["can_cancel"] is False
    assert reverse("officer-tender-cancel", args=[tender.pk]) not in response.content.decode()


def test_the_deadline_is_extended_after_a_late_change(client, officer, clock):
    tender = open_bidding(published_tender(officer))
    # Tuesday 21 July 2026, 10:00 Lima: bids close on the 22nd at 17:00, one working day away.
    clock.set(datetime(2026, 7, 21, 15, 0, tzinfo=UTC))
    client = signed_in(client, officer)

    page = client.get(reverse("officer-tender", args=[tender.pk]))
    response = client.post(reverse("officer-tender-extend", args=[tender.pk]))

    # Three working days after the 21st, skipping the holiday on the 23rd: Monday 27 July, 17:00 Lima.
    moved = datetime(2026, 7, 27, 22, 0, tzinfo=UTC)
    assert page.context["can_extend"] is True
    assert page.context["extended_to"] == moved
    assert response.status_code == 302
    tender.refresh_from_db()
    assert (tender.bids_due, tender.opening_at) == (moved, moved)


def test_the_extension_is_not_offered_once_bids_are_due(client, officer, clock):
    tender = open_bidding(published_tender(officer))
    clock.set(tender.bids_due + timedelta(seconds=1))
    before = footprint()
    client = signed_in(client, officer)

    page = client.get(reverse("officer-tender", args=[tender.pk]))
    response = client.post(reverse("officer-tender-extend", args=[tender.pk]))

    assert page.context["can_extend"] is False
    assert response.status_code == 409
    assert escape(in_spanish("Bids are no longer open for this tender.")) in response.content.decode()
    assert footprint() == before


# --- Questions, answers and the integrated bases --------------------------------------------------------------------


@pytest.fixture
def asked(officer, clock):
    """A tender in its enquiries stage with one question from a participant."""
    tender = open_enquiries(published_tender(officer))
    supplier = registered_supplier(1)
    participant_register(actor=supplier.owner, tender=tender, organisation=supplier.organisation)
    question = question_ask(actor=supplier.owner, tender=tender, text="¿Se acepta una garantía de 24 meses?")
    return tender, supplier, question


def test_the_officer_sees_who_asked_and_answers_each_question(client, officer, asked):
    tender, supplier, question = asked
    client = signed_in(client, officer)

    page = client.get(reverse("officer-tender", args=[tender.pk]))
    empty = client.post(
        reverse("officer-question-answer", args=[tender.pk, question.pk]), {f"question-{question.pk}-answer": ""}
    )
    answered = client.post(
        reverse("officer-question-answer", args=[tender.pk, question.pk]),
        {f"question-{question.pk}-answer": "Sí, se acepta."},
    )

    content = page.content.decode()
    assert supplier.organisation.name in content
    assert "¿Se acepta una garantía de 24 meses?" in content
    assert page.context["unanswered"] == 1
    assert empty.status_code == 400
    form = next(q.form for q in empty.context["questions"] if q.pk == question.pk)
    assert form.errors == {"answer": [in_spanish("Write the answer.")]}
    assert answered.status_code == 302
    question.refresh_from_db()
    assert (question.answer, question.answered_by_id, question.published_at) == ("Sí, se acepta.", officer.pk, None)


def test_answers_are_published_with_the_integrated_bases(client, officer, asked, clock, media):
    tender, _supplier, question = asked
    question_answer(actor=officer, question=question, answer="Sí, se acepta.")
    clock.set(tender.enquiries_end + timedelta(minutes=1))

    response = signed_in(client, officer).post(
        reverse("officer-answers-publish", args=[tender.pk]),
        {"title": "Bases integradas", "document_file": SimpleUploadedFile("bases.pdf", BASES, "application/pdf")},
    )

    assert response.status_code == 302
    tender.refresh_from_db()
    assert tender.status == TenderStatus.INTEGRATED_BASES
    document = TenderDocument.objects.get(tender=tender)
    assert (document.kind, document.version, document.title, document.size) == (
        "integrated_bases",
        1,
        "Bases integradas",
        len(BASES),
    )
    assert Question.objects.get(pk=question.pk).published_at == clock.now


def test_answers_are_not_published_without_the_file_nor_with_a_question_unanswered(
    client, officer, asked, clock, media
):
    tender, _supplier, _question = asked
    clock.set(tender.enquiries_end + timedelta(minutes=1))
    client = signed_in(client, officer)
    before = participation_footprint(tender)

    no_file = client.post(reverse("officer-answers-publish", args=[tender.pk]), {"title": "Bases integradas"})
    unanswered = client.post(
        reverse("officer-answers-publish", args=[tender.pk]),
        {"title": "Bases integradas", "document_file": SimpleUploadedFile("bases.pdf", BASES, "application/pdf")},
    )

    assert no_file.status_code == 400
    assert no_file.context["answers_form"].errors == {"document_file": [in_spanish("Attach the integrated bases.")]}
    assert unanswered.status_code == 409
    assert unanswered.context["answers_form"].errors == {
        "__all__": [in_spanish("Answer every question before publishing (%(n)s unanswered).") % {"n": 1}]
    }
    assert participation_footprint(tender) == before
    assert list(media.rglob("*.pdf")) == []


# --- Bids: counts only ------------------------------------------------------------------------------------------


def test_the_officer_sees_how_many_bids_each_lot_has_and_never_who_or_at_what_price(client, officer, clock):
    lots = [lot_data(), lot_data(title="Impresoras", items=[item_data(description="Impresora láser")])]
    tender = published_tender(officer, lots=lots)
    first, second = registered_supplier(1), registered_supplier(2)
    for supplier in (first, second):
        participant_register(actor=supplier.owner, tender=tender, organisation=supplier.organisation)
    tender = open_bidding(tender)
    lot = tender.lots.get(number=1)
    for supplier, price in ((first, "1234.56"), (second, "987.65")):
        bid_submit(
            actor=supplier.owner,
            lot=lot,
            organisation=supplier.organisation,
            prices={1: Decimal(price)},
            technical={"delivery_days": 15},
            idempotency_key=f"key-{supplier.pk}",
        )

    response = signed_in(client, officer).get(reverse("officer-tender", args=[tender.pk]))

    assert response.status_code == 200
    assert [(count.lot_number, count.live_bids) for count in response.context["bid_counts"]] == [(1, 2), (2, 0)]
    content = response.content.decode()
    for supplier in (first, second):
        assert supplier.organisation.name not in content
        assert supplier.legal_name not in content
        assert supplier.ruc not in content
    assert "1,234.56" not in content
    assert "1234.56" not in content
    assert "987.65" not in content
