"""Participation: suppliers register, ask during the enquiries stage, the entity answers and publishes
every answer at once with the integrated bases."""

import dataclasses
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile

from portal.accounts.enums import OrganisationKind, Role
from portal.audit.models import AuditEvent
from portal.core.errors import DomainError, RuleViolation
from portal.notifications.models import Notification
from procurement.models import Participant, Question, TenderDocument
from procurement.selectors import PublishedQuestion, published_questions, questions_for_officer
from procurement.services.participation import answers_publish, participant_register, question_answer, question_ask
from procurement.services.tenders import tender_publish, tender_set_timeline
from smeregistry.services.suppliers import supplier_suspend
from tests.factories import OrganisationFactory, member
from tests.procurement.factories import (
    MONDAY_9AM,
    draft_tender,
    earliest,
    entity_officer,
    open_enquiries,
    participation_footprint,
)
from tests.smeregistry.factories import operator, registered_supplier

pytestmark = pytest.mark.django_db

# The earliest adjudicación simplificada published on Monday 6 July 2026 (Lima, 17:00 closings).
ENQUIRIES_END = datetime(2026, 7, 9, 22, 0, tzinfo=UTC)
BIDS_DUE = datetime(2026, 7, 22, 22, 0, tzinfo=UTC)
BASES = b"%PDF-1.4\nBases integradas - AS-0001\n%%EOF\n"


@pytest.fixture
def published(officer):
    tender = draft_tender(officer)
    tender = tender_set_timeline(actor=officer, tender=tender, timeline=earliest(MONDAY_9AM))
    return tender_publish(actor=officer, tender=tender)


@pytest.fixture
def enquiries(published):
    return open_enquiries(published)


@pytest.fixture
def supplier(clock):
    return registered_supplier(1)


@pytest.fixture
def other_supplier(clock):
    return registered_supplier(2)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def register(supplier, tender):
    return participant_register(actor=supplier.owner, tender=tender, organisation=supplier.organisation)


def notifications(event):
    return sorted(
        Notification.objects.filter(event=event).values_list("recipient_id", "channel", "key"), key=lambda row: row
    )


# --- Registration -----------------------------------------------------------------------------------


def test_a_supplier_representative_registers_free_and_gets_a_receipt(published, supplier, clock):
    clock.advance(hours=2)

    participant = register(supplier, published)

    assert (participant.tender_id, participant.organisation_id, participant.registered_by_id) == (
        published.pk,
        supplier.organisation_id,
        supplier.owner.pk,
    )
    assert participant.registered_at == MONDAY_9AM + timedelta(hours=2)
    event = AuditEvent.objects.get(action="participant.registered")
    assert (event.actor_id, event.organisation_id, event.object_id) == (
        supplier.owner.pk,
        supplier.organisation_id,
        str(participant.pk),
    )
    assert event.payload == {"tender": published.pk, "code": published.code, "organisation": supplier.organisation_id}
    key = f"tender:{published.pk}:participant:{supplier.organisation_id}"
    assert notifications("participant.registered") == [
        (supplier.owner.pk, "email", key),
        (supplier.owner.pk, "inapp", key),
    ]
    context = Notification.objects.filter(event="participant.registered").first().context
    assert context == {
        "code": published.code,
        "title": "Adquisición de computadoras",
        "entity": published.entity.name,
        "organisation": supplier.organisation.name,
        "bids_due_lima": "22/07/2026 17:00",
    }


def test_registering_twice_returns_the_same_participant_and_records_nothing_more(published, supplier):
    first = register(supplier, published)
    before = participation_footprint(published)

    again = register(supplier, published)

    assert again.pk == first.pk
    assert participation_footprint(published) == before
    assert Participant.objects.filter(tender=published).count() == 1


@pytest.mark.parametrize("who", ["anonymous", "other_supplier_representative", "entity_officer", "entity_admin"])
def test_only_the_suppliers_own_representatives_register_it(published, supplier, officer, who):
    actor = {
        "anonymous": lambda: None,
        "other_supplier_representative": lambda: member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE),
        "entity_officer": lambda: officer,
        "entity_admin": lambda: member(
            OrganisationKind.CONTRACTING_ENTITY, Role.ADMINISTRATOR, organisation=published.entity
        ),
    }[who]()
    before = participation_footprint(published)

    with pytest.raises(PermissionDenied):
        participant_register(actor=actor, tender=published, organisation=supplier.organisation)

    assert participation_footprint(published) == before


def test_an_entity_cannot_be_registered_as_a_participant(published, officer):
    before = participation_footprint(published)

    with pytest.raises(PermissionDenied):
        participant_register(actor=officer, tender=published, organisation=published.entity)

    assert participation_footprint(published) == before


def test_a_pending_supplier_is_refused(published):
    pending = registered_supplier(3, verified=False)
    before = participation_footprint(published)

    with pytest.raises(RuleViolation) as refused:
        register(pending, published)

    assert refused.value.code == "supplier_not_active"
    assert participation_footprint(published) == before


def test_a_suspended_supplier_without_sanctions_is_refused(published, supplier):
    supplier_suspend(actor=operator(), supplier=supplier, reason="Documentos vencidos")
    before = participation_footprint(published)

    with pytest.raises(RuleViolation) as refused:
        register(supplier, published)

    assert refused.value.code == "supplier_not_active"
    assert participation_footprint(published) == before


def test_a_supplier_organisation_missing_from_the_registry_is_refused(published):
    organisation = OrganisationFactory(kind=OrganisationKind.SUPPLIER)
    representative = member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE, organisation=organisation)
    before = participation_footprint(published)

    with pytest.raises(RuleViolation) as refused:
        participant_register(actor=representative, tender=published, organisation=organisation)

    assert (refused.value.code, refused.value.field) == ("not_registered", "organisation")
    assert participation_footprint(published) == before


def test_registration_closes_when_bids_are_due(published, supplier, clock):
    clock.set(BIDS_DUE + timedelta(seconds=1))
    before = participation_footprint(published)

    with pytest.raises(RuleViolation) as refused:
        register(supplier, published)

    assert refused.value.code == "registration_closed"
    assert participation_footprint(published) == before


def test_a_draft_tender_takes_no_participants(officer, supplier):
    draft = draft_tender(officer)
    before = participation_footprint(draft)

    with pytest.raises(RuleViolation) as refused:
        register(supplier, draft)

    assert refused.value.code == "registration_closed"
    assert participation_footprint(draft) == before


# --- Questions --------------------------------------------------------------------------------------


@pytest.fixture
def participant(enquiries, supplier):
    return register(supplier, enquiries)


def test_a_participant_asks_a_question_up_to_the_last_second(enquiries, participant, supplier, clock):
    clock.set(ENQUIRIES_END)
    lot = enquiries.lots.get(number=1)

    question = question_ask(
        actor=supplier.owner, tender=enquiries, text="  ¿Se aceptan equipos de 16 GB?  ", kind="observation", lot=lot
    )

    question.refresh_from_db()
    assert (question.participant_id, question.lot_id, question.kind, question.text) == (
        participant.pk,
        lot.pk,
        "observation",
        "¿Se aceptan equipos de 16 GB?",
    )
    assert (question.asked_at, question.answer, question.answered_at, question.published_at) == (
        ENQUIRIES_END,
        "",
        None,
        None,
    )
    event = AuditEvent.objects.get(action="question.asked")
    assert (event.actor_id, event.organisation_id, event.payload) == (
        supplier.owner.pk,
        supplier.organisation_id,
        {"tender": enquiries.pk, "kind": "observation", "lot": lot.pk, "chars": 29},
    )


def test_a_question_one_second_after_the_enquiries_end_is_refused(enquiries, participant, supplier, clock):
    clock.set(ENQUIRIES_END + timedelta(seconds=1))
    before = participation_footprint(enquiries)

    with pytest.raises(RuleViolation) as refused:
        question_ask(actor=supplier.owner, tender=enquiries, text="¿Plazo de entrega?")

    assert refused.value.code == "enquiries_closed"
    assert participation_footprint(enquiries) == before


def test_no_questions_before_the_enquiries_stage(published, supplier):
    register(supplier, published)
    before = participation_footprint(published)

    with pytest.raises(RuleViolation) as refused:
        question_ask(actor=supplier.owner, tender=published, text="¿Plazo de entrega?")

    assert refused.value.code == "enquiries_closed"
    assert participation_footprint(published) == before


@pytest.mark.parametrize("who", ["anonymous", "non_participant", "entity_officer"])
def test_only_participants_ask(enquiries, participant, officer, other_supplier, who):
    actor = {"anonymous": None, "non_participant": other_supplier.owner, "entity_officer": officer}[who]
    before = participation_footprint(enquiries)

    with pytest.raises(PermissionDenied):
        question_ask(actor=actor, tender=enquiries, text="¿Plazo de entrega?")

    assert participation_footprint(enquiries) == before


@pytest.mark.parametrize(("text", "code"), [("", "required"), ("   \n ", "required"), ("x" * 4001, "too_long")])
def test_a_question_needs_text_of_at_most_4000_characters(enquiries, participant, supplier, text, code):
    before = participation_footprint(enquiries)

    with pytest.raises(DomainError) as refused:
        question_ask(actor=supplier.owner, tender=enquiries, text=text)

    assert (refused.value.code, refused.value.field) == (code, "text")
    assert participation_footprint(enquiries) == before


def test_a_question_of_exactly_4000_characters_is_taken(enquiries, participant, supplier):
    question = question_ask(actor=supplier.owner, tender=enquiries, text="x" * 4000)

    assert len(Question.objects.get(pk=question.pk).text) == 4000


# --- Answers ----------------------------------------------------------------------------------------


@pytest.fixture
def question(enquiries, participant, supplier):
    return question_ask(actor=supplier.owner, tender=enquiries, text="¿Se aceptan equipos de 16 GB?")


def test_the_officer_answers_and_may_rewrite_until_publication(question, officer, clock):
    question_answer(actor=officer, question=question, answer="Sí.")
    clock.advance(minutes=5)

    answered = question_answer(actor=officer, question=question, answer=" Sí, 16 GB o más. ")

    answered.refresh_from_db()
    assert (answered.answer, answered.answered_by_id, answered.answered_at, answered.published_at) == (
        "Sí, 16 GB o más.",
        officer.pk,
        MONDAY_9AM + timedelta(minutes=5),
        None,
    )
    payloads = list(
        AuditEvent.objects.filter(action="question.answered").order_by("pk").values_list("payload", flat=True)
    )
    assert payloads == [
        {"tender": question.tender_id, "rewritten": False, "chars": 3},
        {"tender": question.tender_id, "rewritten": True, "chars": 16},
    ]


@pytest.mark.parametrize("who", ["other_entity_officer", "participant"])
def test_only_the_entitys_officers_answer(question, supplier, who):
    actor = entity_officer() if who == "other_entity_officer" else supplier.owner
    before = participation_footprint(question.tender)

    with pytest.raises(PermissionDenied):
        question_answer(actor=actor, question=question, answer="Sí.")

    assert participation_footprint(question.tender) == before
    assert Question.objects.get(pk=question.pk).answer == ""


def test_an_empty_answer_is_refused(question, officer):
    before = participation_footprint(question.tender)

    with pytest.raises(DomainError) as refused:
        question_answer(actor=officer, question=question, answer="  ")

    assert (refused.value.code, refused.value.field) == ("required", "answer")
    assert participation_footprint(question.tender) == before


# --- Publication ------------------------------------------------------------------------------------


def publish(officer, tender, content=BASES):
    return answers_publish(
        actor=officer,
        tender=tender,
        document_file=ContentFile(content, name="bases-integradas.pdf"),
        title="Bases integradas",
    )


def test_an_unanswered_question_blocks_publication(question, officer, clock, media):
    clock.set(ENQUIRIES_END + timedelta(hours=1))
    before = participation_footprint(question.tender)

    with pytest.raises(RuleViolation) as refused:
        publish(officer, question.tender)

    assert refused.value.code == "unanswered_questions"
    assert participation_footprint(question.tender) == before
    assert before["status"] == "enquiries"
    assert list(media.rglob("*.pdf")) == []


def test_answers_are_not_published_while_questions_are_received(question, officer, clock, media):
    question_answer(actor=officer, question=question, answer="Sí.")
    clock.set(ENQUIRIES_END)
    before = participation_footprint(question.tender)

    with pytest.raises(RuleViolation) as refused:
        publish(officer, question.tender)

    assert refused.value.code == "enquiries_open"
    assert participation_footprint(question.tender) == before


def test_another_entitys_officer_cannot_publish(question, officer, clock, media):
    question_answer(actor=officer, question=question, answer="Sí.")
    clock.set(ENQUIRIES_END + timedelta(hours=1))
    before = participation_footprint(question.tender)

    with pytest.raises(PermissionDenied):
        publish(entity_officer(), question.tender)

    assert participation_footprint(question.tender) == before


@pytest.fixture
def asked(enquiries, supplier, other_supplier, officer):
    """Two participants; three questions, all answered; the questions window is over."""
    register(supplier, enquiries)
    register(other_supplier, enquiries)
    lot = enquiries.lots.get(number=1)
    first = question_ask(actor=supplier.owner, tender=enquiries, text="¿Se aceptan equipos de 16 GB?")
    second = question_ask(
        actor=other_supplier.owner, tender=enquiries, text="El plazo de entrega es corto.", kind="observation", lot=lot
    )
    third = question_ask(actor=supplier.owner, tender=enquiries, text="¿Garantía mínima?")
    for question, answer in ((first, "Sí."), (second, "Se amplía a 30 días."), (third, "Tres años.")):
        question_answer(actor=officer, question=question, answer=answer)
    return enquiries


@pytest.mark.usefixtures("media")
def test_publication_publishes_every_answer_with_the_integrated_bases(asked, officer, supplier, other_supplier, clock):
    now = clock.set(ENQUIRIES_END + timedelta(hours=3))
    before = participation_footprint(asked)

    tender = publish(officer, asked)

    tender.refresh_from_db()
    assert tender.status == "integrated_bases"
    assert list(Question.objects.filter(tender=tender).values_list("published_at", flat=True)) == [now, now, now]
    document = TenderDocument.objects.get(tender=tender)
    assert (document.kind, document.version, document.title, document.size, document.published_at) == (
        "integrated_bases",
        1,
        "Bases integradas",
        len(BASES),
        now,
    )
    assert document.sha256 == hashlib.sha256(BASES).hexdigest()
    with document.file.open("rb") as stored:
        assert stored.read() == BASES
    event = AuditEvent.objects.get(action="tender.answers_published")
    assert (event.actor_id, event.organisation_id) == (officer.pk, tender.entity_id)
    assert event.payload == {
        "code": tender.code,
        "questions": 3,
        "document": document.pk,
        "version": 1,
        "sha256": hashlib.sha256(BASES).hexdigest(),
        "size": len(BASES),
    }
    key = f"tender:{tender.pk}:answers_published"
    assert notifications("tender.answers_published") == sorted(
        (person.pk, channel, key) for person in (supplier.owner, other_supplier.owner) for channel in ("email", "inapp")
    )
    after = participation_footprint(tender)
    assert after["Notification"] - before["Notification"] == 4
    assert after["AuditEvent"] - before["AuditEvent"] == 1


def test_the_next_integrated_bases_get_the_next_version(asked, officer, clock, media):
    clock.set(ENQUIRIES_END + timedelta(hours=3))
    earlier = TenderDocument(
        tender=asked, kind="integrated_bases", version=1, title="Borrador", sha256="0" * 64, size=1, uploaded_by=officer
    )
    earlier.file.save("borrador.pdf", ContentFile(b"x"), save=True)

    publish(officer, asked, content=b"%PDF-1.4 v2")

    assert list(TenderDocument.objects.filter(tender=asked).values_list("version", "sha256")) == [
        (1, "0" * 64),
        (2, hashlib.sha256(b"%PDF-1.4 v2").hexdigest()),
    ]


@pytest.mark.usefixtures("media")
def test_the_published_answers_do_not_say_who_asked(asked, officer, supplier, other_supplier, clock):
    clock.set(ENQUIRIES_END + timedelta(hours=3))
    assert published_questions(tender=asked) == []  # nothing is public before publication
    publish(officer, asked)
    published_at = ENQUIRIES_END + timedelta(hours=3)

    public = published_questions(tender=asked)

    assert public == [
        PublishedQuestion(1, "question", None, "¿Se aceptan equipos de 16 GB?", "Sí.", published_at),
        PublishedQuestion(2, "observation", 1, "El plazo de entrega es corto.", "Se amplía a 30 días.", published_at),
        PublishedQuestion(3, "question", None, "¿Garantía mínima?", "Tres años.", published_at),
    ]
    rendered = repr(public) + repr([dataclasses.asdict(row) for row in public])
    for company in (supplier, other_supplier):
        for secret in (
            company.organisation.name,
            company.organisation.tax_id,
            company.ruc,
            company.legal_name,
            company.owner.username,
            company.owner.email,
        ):
            assert secret not in rendered
    assert {field.name for field in dataclasses.fields(PublishedQuestion)} == {
        "number",
        "kind",
        "lot_number",
        "text",
        "answer",
        "published_at",
    }


def test_officers_see_every_question_with_who_asked_others_are_refused(asked, officer, supplier, other_supplier):
    rows = questions_for_officer(actor=officer, tender=asked)

    assert [row.participant.organisation_id for row in rows] == [
        supplier.organisation_id,
        other_supplier.organisation_id,
        supplier.organisation_id,
    ]
    for outsider in (entity_officer(), supplier.owner, None):
        with pytest.raises(PermissionDenied):
            questions_for_officer(actor=outsider, tender=asked)


def test_no_answer_is_changed_once_published(asked, officer, clock, media):
    clock.set(ENQUIRIES_END + timedelta(hours=3))
    publish(officer, asked)
    question = Question.objects.filter(tender=asked).first()
    before = participation_footprint(asked)

    with pytest.raises(RuleViolation) as refused:
        question_answer(actor=officer, question=question, answer="Otra respuesta.")

    assert refused.value.code == "answers_published"
    assert participation_footprint(asked) == before
    assert Question.objects.get(pk=question.pk).answer == "Sí."
