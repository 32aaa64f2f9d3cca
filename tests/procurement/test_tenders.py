"""Tenders: drafting from the plan, the chronogram, publication, cancellation, annulment, deadlines."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from portal.accounts.enums import OrganisationKind, Role
from portal.audit.models import AuditEvent
from portal.core.errors import DomainError, NotFoundError, RuleViolation
from portal.notifications.models import Notification
from procurement.selectors import tender_get_for_actor, tenders_visible_to
from procurement.services.tenders import (
    tender_amend_deadline,
    tender_annul,
    tender_cancel,
    tender_create,
    tender_publish,
    tender_set_timeline,
)
from procurement.timeline import Timeline
from tests.factories import member
from tests.procurement.factories import (
    MONDAY_9AM,
    draft_tender,
    earliest,
    entity_officer,
    footprint,
    item_data,
    line_data,
    lot_data,
    procedure,
    published_plan,
)
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db

# The earliest adjudicación simplificada published on Monday 6 July 2026 (Lima, 17:00 closings).
ENQUIRIES_END = datetime(2026, 7, 9, 22, 0, tzinfo=UTC)
INTEGRATED_BASES = datetime(2026, 7, 10, 22, 0, tzinfo=UTC)
BIDS_DUE = datetime(2026, 7, 22, 22, 0, tzinfo=UTC)


@pytest.fixture
def plan(officer):
    return published_plan(officer)


@pytest.fixture
def tender(officer, plan):
    return draft_tender(officer, plan=plan)


@pytest.fixture
def scheduled(officer, tender):
    return tender_set_timeline(actor=officer, tender=tender, timeline=earliest(MONDAY_9AM))


@pytest.fixture
def published(officer, scheduled):
    return tender_publish(actor=officer, tender=scheduled)


def outsider(who: str, entity):
    return {
        "anonymous": lambda: None,
        "other_entity_officer": entity_officer,
        "entity_evaluator": lambda: member(OrganisationKind.CONTRACTING_ENTITY, Role.EVALUATOR, organisation=entity),
        "supplier_representative": lambda: member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE),
        "oversight_reviewer": lambda: member(OrganisationKind.OVERSIGHT_BODY, Role.REVIEWER),
    }[who]()


OUTSIDERS = ["anonymous", "other_entity_officer", "entity_evaluator", "supplier_representative", "oversight_reviewer"]


# --- Drafting ---------------------------------------------------------------------------------------


def test_officer_drafts_a_tender_from_a_published_plan_line(officer, entity, plan):
    tender = tender_create(
        actor=officer,
        plan_line=plan.lines.get(number=1),
        title="Adquisición de computadoras",
        description="Equipos",
        currency="PEN",
        lots=[
            lot_data(),
            lot_data(
                title="Impresoras",
                reference_value="20000.50",
                mype_reserved=True,
                items=[item_data(unspsc_code="43212105", description="Impresora láser", quantity="5.5", unit="SET")],
            ),
        ],
    )

    assert tender.code == f"AS-0001-2026-{entity.tax_id}"
    assert (tender.status, tender.object, tender.currency, tender.reference_value) == (
        "draft",
        "goods",
        "PEN",
        Decimal("200000.50"),
    )
    assert tender.procedure_type == procedure("adjudicacion-simplificada")
    assert list(tender.lots.values_list("number", "title", "reference_value", "mype_reserved", "status")) == [
        (1, "Computadoras portátiles", Decimal("180000.00"), False, "open"),
        (2, "Impresoras", Decimal("20000.50"), True, "open"),
    ]
    assert list(
        tender.lots.get(number=2).items.values_list("number", "unspsc_code", "quantity", "unit", "region_code")
    ) == [(1, "43212105", Decimal("5.500"), "SET", "15")]
    event = AuditEvent.objects.get(action="tender.created")
    assert event.payload == {
        "code": tender.code,
        "plan_line": plan.lines.get(number=1).pk,
        "reference_value": "200000.50",
        "currency": "PEN",
        "lots": 2,
    }


def test_codes_follow_a_sequence_per_entity_and_year(officer, entity):
    plan = published_plan(
        officer,
        lines=[line_data(), line_data(procedure_type=procedure("licitacion-publica"), estimated_value="900000")],
    )
    first = draft_tender(officer, plan=plan)
    second = draft_tender(officer, plan=plan)
    public = tender_create(
        actor=officer,
        plan_line=plan.lines.get(number=2),
        title="Servidores",
        description="",
        currency="PEN",
        lots=[lot_data()],
    )
    other = entity_officer()
    elsewhere = draft_tender(other)

    assert [first.code, second.code, public.code] == [
        f"AS-0001-2026-{entity.tax_id}",
        f"AS-0002-2026-{entity.tax_id}",
        f"LP-0003-2026-{entity.tax_id}",
    ]
    assert elsewhere.code == f"AS-0001-2026-{other.memberships.get().organisation.tax_id}"


def test_usd_is_allowed(officer, plan):
    tender = draft_tender(officer, plan=plan, currency="USD")

    assert tender.currency == "USD"


@pytest.mark.parametrize(
    ("lots", "currency", "expected"),
    [
        ([], "PEN", ("lots", "required")),
        ([lot_data(items=[])], "PEN", ("lots[0].items", "required")),
        ([lot_data(title=" ")], "PEN", ("lots[0].title", "required")),
        ([lot_data(reference_value="0")], "PEN", ("lots[0].reference_value", "invalid_value")),
        ([lot_data(items=[item_data(unit="XYZ")])], "PEN", ("lots[0].items[0].unit", "invalid_unit")),
        (
            [lot_data(items=[item_data(unspsc_code="432115")])],
            "PEN",
            ("lots[0].items[0].unspsc_code", "invalid_unspsc"),
        ),
        ([lot_data(items=[item_data(region_code="99")])], "PEN", ("lots[0].items[0].region_code", "invalid_region")),
        ([lot_data(items=[item_data(quantity="0")])], "PEN", ("lots[0].items[0].quantity", "invalid_quantity")),
        ([lot_data(items=[item_data(quantity="-1")])], "PEN", ("lots[0].items[0].quantity", "invalid_quantity")),
        ([lot_data(items=[item_data(delivery_place="")])], "PEN", ("lots[0].items[0].delivery_place", "required")),
        (
            [lot_data(), lot_data(items=[item_data(), item_data(unit="")])],
            "PEN",
            ("lots[1].items[1].unit", "invalid_unit"),
        ),
        ([lot_data()], "EUR", ("currency", "invalid_currency")),
    ],
)
def test_invalid_tenders_are_refused_naming_the_field(officer, plan, lots, currency, expected):
    before = footprint()

    with pytest.raises(DomainError) as refused:
        tender_create(
            actor=officer, plan_line=plan.lines.get(), title="Compra", description="", currency=currency, lots=lots
        )

    assert (refused.value.field, refused.value.code) == expected
    assert footprint() == before


def test_a_draft_plan_line_cannot_be_tendered(officer, entity):
    from procurement.services.plans import plan_create

    draft = plan_create(actor=officer, entity=entity, fiscal_year=2026, lines=[line_data()])
    before = footprint()

    with pytest.raises(RuleViolation) as refused:
        draft_tender(officer, plan=draft)

    assert refused.value.code == "plan_not_published"
    assert footprint() == before


@pytest.mark.parametrize("who", OUTSIDERS)
def test_only_the_entity_officers_draft_tenders(who, entity, plan):
    actor = outsider(who, entity)
    before = footprint()

    with pytest.raises(PermissionDenied):
        draft_tender(actor, plan=plan)

    assert footprint() == before


# --- Chronogram -------------------------------------------------------------------------------------


def test_officer_sets_the_chronogram(officer, tender):
    tender = tender_set_timeline(actor=officer, tender=tender, timeline=earliest(MONDAY_9AM))

    tender.refresh_from_db()
    assert (tender.published_at, tender.enquiries_end, tender.integrated_bases_at, tender.bids_due) == (
        MONDAY_9AM,
        ENQUIRIES_END,
        INTEGRATED_BASES,
        BIDS_DUE,
    )
    assert (tender.opening_at, tender.auction_at, tender.status) == (BIDS_DUE, None, "draft")
    assert AuditEvent.objects.filter(action="tender.timeline_set", object_id=str(tender.pk)).count() == 1


def test_a_too_short_bidding_period_is_refused_naming_the_field(officer, tender):
    short = Timeline(
        published_at=MONDAY_9AM,
        enquiries_end=ENQUIRIES_END,
        integrated_bases_at=INTEGRATED_BASES,
        bids_due=BIDS_DUE - timedelta(days=1),  # 7 working days after the integrated bases, not 8
        opening_at=BIDS_DUE - timedelta(days=1),
    )
    before = footprint()

    with pytest.raises(DomainError) as refused:
        tender_set_timeline(actor=officer, tender=tender, timeline=short)

    assert (refused.value.field, refused.value.code) == ("bids_due", "invalid_timeline")
    # In the reader's language (Spanish by default), from the problem's code and numbers.
    assert refused.value.message == "Se requieren al menos 8 días hábiles; esto da 7."
    assert footprint() == before
    tender.refresh_from_db()
    assert tender.bids_due is None


def test_a_missing_stage_date_is_refused_naming_the_field(officer, tender):
    with pytest.raises(DomainError) as refused:
        tender_set_timeline(actor=officer, tender=tender, timeline=Timeline(published_at=MONDAY_9AM, bids_due=BIDS_DUE))

    assert refused.value.field == "enquiries_end"


def test_a_chronogram_starting_in_the_past_is_refused(officer, tender, clock):
    clock.advance(minutes=1)
    before = footprint()

    with pytest.raises(DomainError) as refused:
        tender_set_timeline(actor=officer, tender=tender, timeline=earliest(MONDAY_9AM))

    assert (refused.value.field, refused.value.code) == ("published_at", "in_the_past")
    assert footprint() == before


def test_the_chronogram_of_a_published_tender_is_not_set_again(officer, published):
    before = footprint()

    with pytest.raises(RuleViolation):
        tender_set_timeline(actor=officer, tender=published, timeline=earliest(MONDAY_9AM))

    assert footprint() == before


@pytest.mark.parametrize("who", OUTSIDERS)
def test_only_the_entity_officers_set_the_chronogram(who, entity, tender):
    actor = outsider(who, entity)
    before = footprint()

    with pytest.raises(PermissionDenied):
        tender_set_timeline(actor=actor, tender=tender, timeline=earliest(MONDAY_9AM))

    assert footprint() == before


# --- Publication ------------------------------------------------------------------------------------


def test_publication_notifies_exactly_the_matching_suppliers_once(officer, scheduled, clock):
    # Given: a computer supplier in Lima (the delivery region), one in Arequipa, an office-supplies
    # supplier in Lima, and a computer supplier in Lima still waiting for verification.
    matching = registered_supplier(1, region_code="15", category_codes=["43210000"])
    registered_supplier(2, region_code="04", category_codes=["43210000"])
    registered_supplier(3, region_code="15", category_codes=["44120000"])
    registered_supplier(4, region_code="15", category_codes=["43210000"], verified=False)
    clock.advance(minutes=2)

    tender = tender_publish(actor=officer, tender=scheduled)

    tender.refresh_from_db()
    # due at once: the chronograph's next sweep opens the enquiries
    assert (tender.status, tender.published_at, tender.next_check) == ("published", clock.now, clock.now)
    assert (tender.enquiries_end, tender.bids_due) == (ENQUIRIES_END, BIDS_DUE)
    sent = Notification.objects.filter(event="tender.published")
    assert sorted(sent.values_list("recipient_id", "channel", "key")) == [
        (matching.owner.pk, "email", f"tender:{tender.pk}:published"),
        (matching.owner.pk, "inapp", f"tender:{tender.pk}:published"),
    ]
    assert sent.first().context == {
        "code": tender.code,
        "title": "Adquisición de computadoras",
        "entity": tender.entity.name,
        "bids_due": "2026-07-22T22:00:00Z",
        "bids_due_lima": "22/07/2026 17:00",
    }
    event = AuditEvent.objects.get(action="tender.published")
    assert (event.actor_id, event.object_id) == (officer.pk, str(tender.pk))


def test_the_published_message_renders(officer, scheduled):
    from portal.notifications.services import render_message

    registered_supplier(1)
    tender = tender_publish(actor=officer, tender=scheduled)

    subject, body = render_message(Notification.objects.filter(event="tender.published").first(), language="en")

    assert subject == f"New call for tender: {tender.code}"
    assert "Bids are received until 22/07/2026 17:00 (Lima time)." in body


def test_a_tender_is_published_once(officer, published):
    before = footprint()

    with pytest.raises(RuleViolation) as refused:
        tender_publish(actor=officer, tender=published)

    assert refused.value.code == "invalid_transition"
    assert footprint() == before


def test_a_tender_without_chronogram_is_not_published(officer, tender):
    before = footprint()

    with pytest.raises(RuleViolation) as refused:
        tender_publish(actor=officer, tender=tender)

    assert refused.value.code == "no_timeline"
    assert footprint() == before


def test_a_tender_scheduled_for_later_is_not_published_now(officer, tender):
    tender = tender_set_timeline(actor=officer, tender=tender, timeline=earliest(MONDAY_9AM + timedelta(days=1)))
    before = footprint()

    with pytest.raises(RuleViolation) as refused:
        tender_publish(actor=officer, tender=tender)

    assert refused.value.code == "scheduled_later"
    assert footprint() == before
    tender.refresh_from_db()
    assert tender.status == "draft"


def test_publishing_late_refuses_a_period_made_too_short(officer, scheduled, clock):
    # Thursday: the questions period would last 0 working days instead of 3.
    clock.set(datetime(2026, 7, 9, 14, 0, tzinfo=UTC))
    registered_supplier(1)
    before = footprint()

    with pytest.raises(DomainError) as refused:
        tender_publish(actor=officer, tender=scheduled)

    assert (refused.value.field, refused.value.code) == ("enquiries_end", "invalid_timeline")
    assert footprint() == before
    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.published_at, scheduled.next_check) == ("draft", MONDAY_9AM, None)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_only_the_entity_officers_publish(who, entity, scheduled):
    actor = outsider(who, entity)
    before = footprint()

    with pytest.raises(PermissionDenied):
        tender_publish(actor=actor, tender=scheduled)

    assert footprint() == before


# --- Cancellation and annulment -----------------------------------------------------------------------


def test_the_entity_cancels_with_a_reason(officer, entity, published):
    colleague = member(OrganisationKind.CONTRACTING_ENTITY, Role.PROCUREMENT_OFFICER, organisation=entity)

    tender = tender_cancel(actor=officer, tender=published, reason="  La necesidad desapareció  ")

    tender.refresh_from_db()
    assert (tender.status, tender.status_reason, tender.next_check) == ("cancelled", "La necesidad desapareció", None)
    assert list(tender.lots.values_list("status", flat=True)) == ["cancelled"]
    assert AuditEvent.objects.get(action="tender.cancelled").payload == {
        "code": tender.code,
        "from": "published",
        "reason": "La necesidad desapareció",
    }
    assert sorted(
        Notification.objects.filter(event="tender.cancelled", channel="inapp").values_list("recipient_id", flat=True)
    ) == sorted([officer.pk, colleague.pk])


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_cancelling_needs_a_reason(officer, published, reason):
    before = footprint()

    with pytest.raises(DomainError) as refused:
        tender_cancel(actor=officer, tender=published, reason=reason)

    assert (refused.value.field, refused.value.code) == ("reason", "required")
    assert footprint() == before
    published.refresh_from_db()
    assert published.status == "published"


def test_a_draft_is_not_cancelled(officer, tender):
    before = footprint()

    with pytest.raises(RuleViolation) as refused:
        tender_cancel(actor=officer, tender=tender, reason="Ya no se necesita")

    assert refused.value.code == "invalid_transition"
    assert footprint() == before


@pytest.mark.parametrize("who", OUTSIDERS)
def test_only_the_entity_officers_cancel(who, entity, published):
    actor = outsider(who, entity)
    before = footprint()

    with pytest.raises(PermissionDenied):
        tender_cancel(actor=actor, tender=published, reason="Porque sí")

    assert footprint() == before


def test_the_oversight_body_annuls(entity, published):
    reviewer = member(OrganisationKind.OVERSIGHT_BODY, Role.REVIEWER)

    tender = tender_annul(actor=reviewer, tender=published, reason="Vicio en las bases (Resolución 123-2026)")

    tender.refresh_from_db()
    assert (tender.status, tender.status_reason) == ("annulled", "Vicio en las bases (Resolución 123-2026)")
    assert list(tender.lots.values_list("status", flat=True)) == ["cancelled"]
    event = AuditEvent.objects.get(action="tender.annulled")
    assert (event.actor_id, event.organisation_id) == (reviewer.pk, entity.pk)
    assert Notification.objects.filter(event="tender.annulled").count() == 2  # the officer: inbox and e-mail


@pytest.mark.parametrize(
    "who", ["anonymous", "entity_officer", "other_entity_officer", "supplier_representative", "oversight_admin"]
)
def test_only_an_oversight_reviewer_annuls(who, officer, entity, published):
    actor = {
        "anonymous": lambda: None,
        "entity_officer": lambda: officer,
        "other_entity_officer": entity_officer,
        "supplier_representative": lambda: member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE),
        "oversight_admin": lambda: member(OrganisationKind.OVERSIGHT_BODY, Role.ADMINISTRATOR),
    }[who]()
    before = footprint()

    with pytest.raises(PermissionDenied):
        tender_annul(actor=actor, tender=published, reason="Nulidad")

    assert footprint() == before
    published.refresh_from_db()
    assert published.status == "published"


# --- Deadline extension when the bases change -------------------------------------------------------


def test_a_change_close_to_the_deadline_extends_it(officer, published, clock):
    # Tuesday 21 July, 10:00 in Lima: one working day before bids close; Thursday 23 is a holiday.
    changed = datetime(2026, 7, 21, 15, 0, tzinfo=UTC)
    clock.set(changed)

    new = tender_amend_deadline(actor=officer, tender=published)

    extended = datetime(2026, 7, 27, 22, 0, tzinfo=UTC)  # Monday 27 July, 17:00 in Lima
    published.refresh_from_db()
    assert new == extended
    assert (published.bids_due, published.opening_at) == (extended, extended)
    # still "published" here (no sweep ran): its next check is the overdue move to enquiries
    assert published.next_check == published.published_at
    assert AuditEvent.objects.get(action="tender.deadline_extended").payload == {
        "code": published.code,
        "from": "2026-07-22T22:00:00Z",
        "to": "2026-07-27T22:00:00Z",
        "changed_at": "2026-07-21T15:00:00Z",
    }


def test_a_change_with_enough_time_left_keeps_the_deadline(officer, published):
    before = footprint()

    new = tender_amend_deadline(actor=officer, tender=published, changed_at=datetime(2026, 7, 14, 15, 0, tzinfo=UTC))

    assert new == BIDS_DUE
    assert footprint() == before


def test_no_extension_once_bids_are_closed(officer, published):
    before = footprint()

    with pytest.raises(RuleViolation) as refused:
        tender_amend_deadline(actor=officer, tender=published, changed_at=BIDS_DUE + timedelta(minutes=1))

    assert refused.value.code == "bids_closed"
    assert footprint() == before


@pytest.mark.parametrize("who", OUTSIDERS)
def test_only_the_entity_officers_extend(who, entity, published):
    actor = outsider(who, entity)
    before = footprint()

    with pytest.raises(PermissionDenied):
        tender_amend_deadline(actor=actor, tender=published, changed_at=datetime(2026, 7, 21, 15, 0, tzinfo=UTC))

    assert footprint() == before
    published.refresh_from_db()
    assert published.bids_due == BIDS_DUE


# --- Who sees what ------------------------------------------------------------------------------------


def test_drafts_are_seen_only_by_their_entity(officer, entity, tender):
    evaluator = member(OrganisationKind.CONTRACTING_ENTITY, Role.EVALUATOR, organisation=entity)

    assert list(tenders_visible_to(actor=officer)) == [tender]
    assert list(tenders_visible_to(actor=evaluator)) == [tender]
    assert list(tenders_visible_to(actor=None)) == []
    assert list(tenders_visible_to(actor=entity_officer())) == []
    with pytest.raises(NotFoundError):
        tender_get_for_actor(actor=member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE), tender_id=tender.pk)


def test_published_tenders_are_public(published):
    assert tender_get_for_actor(actor=None, tender_id=published.pk) == published
    assert list(tenders_visible_to(actor=entity_officer())) == [published]
