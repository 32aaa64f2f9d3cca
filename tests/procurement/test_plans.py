"""Annual procurement plans: who drafts and publishes them, versions, thresholds."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from portal.accounts.enums import OrganisationKind, Role
from portal.audit.models import AuditEvent
from portal.core.errors import DomainError, RuleViolation
from procurement.models import Plan
from procurement.services.plans import plan_create, plan_publish
from tests.factories import OrganisationFactory, member
from tests.procurement.factories import MONDAY_9AM, entity_officer, footprint, line_data, procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(frozen_clock):
    frozen_clock.set(MONDAY_9AM)
    return entity_officer()


def test_officer_drafts_the_first_version(officer, entity):
    plan = plan_create(
        actor=officer,
        entity=entity,
        fiscal_year=2026,
        lines=[line_data(), line_data(description="Papel bond A4", unspsc_code="14111507", estimated_value="50000")],
    )

    assert (plan.version, plan.status, plan.created_by) == (1, "draft", officer)
    assert list(plan.lines.values_list("number", "description", "unspsc_code", "estimated_value", "currency")) == [
        (1, "Computadoras de escritorio para las sedes regionales", "43211500", Decimal("250000.00"), "PEN"),
        (2, "Papel bond A4", "14111507", Decimal("50000.00"), "PEN"),
    ]
    event = AuditEvent.objects.get(action="plan.created")
    assert (event.actor_id, event.organisation_id, event.object_id) == (officer.pk, entity.pk, str(plan.pk))
    assert event.payload == {"fiscal_year": 2026, "version": 1, "lines": 2}


def test_entity_administrator_may_draft(entity):
    admin = member(OrganisationKind.CONTRACTING_ENTITY, Role.ADMINISTRATOR, organisation=entity)

    plan = plan_create(actor=admin, entity=entity, fiscal_year=2026, lines=[line_data()])

    assert plan.version == 1


@pytest.mark.parametrize(
    "who",
    ["anonymous", "other_entity_officer", "evaluator", "supplier_representative"],
)
def test_only_the_entity_officers_draft(who, entity):
    actor = {
        "anonymous": lambda: None,
        "other_entity_officer": entity_officer,
        "evaluator": lambda: member(OrganisationKind.CONTRACTING_ENTITY, Role.EVALUATOR, organisation=entity),
        "supplier_representative": lambda: member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE),
    }[who]()
    before = footprint()

    with pytest.raises(PermissionDenied):
        plan_create(actor=actor, entity=entity, fiscal_year=2026, lines=[line_data()])

    assert footprint() == before


def test_a_supplier_organisation_cannot_have_a_plan():
    supplier_org = OrganisationFactory(kind=OrganisationKind.SUPPLIER)
    admin = member(OrganisationKind.SUPPLIER, Role.ADMINISTRATOR, organisation=supplier_org)
    before = footprint()

    with pytest.raises(PermissionDenied):
        plan_create(actor=admin, entity=supplier_org, fiscal_year=2026, lines=[line_data()])

    assert footprint() == before


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"description": "  "}, "lines[0].description", "required"),
        ({"object": "works", "procedure_type": "comparacion-de-precios"}, "lines[0].object", "invalid_object"),
        ({"object": "furniture"}, "lines[0].object", "invalid_object"),
        ({"unspsc_code": "4321150"}, "lines[0].unspsc_code", "invalid_unspsc"),
        ({"unspsc_code": "4321150A"}, "lines[0].unspsc_code", "invalid_unspsc"),
        ({"estimated_value": "0"}, "lines[0].estimated_value", "invalid_value"),
        ({"estimated_value": "-5"}, "lines[0].estimated_value", "invalid_value"),
        ({"estimated_value": "abc"}, "lines[0].estimated_value", "invalid_value"),
        # Adjudicación simplificada goes up to S/ 481,499.99.
        ({"estimated_value": "481500.00"}, "lines[0].estimated_value", "outside_thresholds"),
        ({"estimated_value": "42799.99"}, "lines[0].estimated_value", "outside_thresholds"),
        (
            {"estimated_value": "100000", "procedure_type": "licitacion-publica"},
            "lines[0].estimated_value",
            "outside_thresholds",
        ),
        ({"planned_month": 0}, "lines[0].planned_month", "invalid_month"),
        ({"planned_month": 13}, "lines[0].planned_month", "invalid_month"),
    ],
)
def test_invalid_lines_are_refused_naming_the_field(officer, entity, overrides, field, code):
    if "procedure_type" in overrides:
        overrides["procedure_type"] = procedure(overrides["procedure_type"])
    before = footprint()

    with pytest.raises(DomainError) as refused:
        plan_create(actor=officer, entity=entity, fiscal_year=2026, lines=[line_data(**overrides)])

    assert (refused.value.field, refused.value.code) == (field, code)
    assert footprint() == before


def test_threshold_bounds_are_inclusive(officer, entity):
    plan = plan_create(
        actor=officer,
        entity=entity,
        fiscal_year=2026,
        lines=[line_data(estimated_value="481499.99"), line_data(estimated_value="42800.00")],
    )

    assert plan.lines.count() == 2


def test_the_second_line_is_named_when_it_is_wrong(officer, entity):
    with pytest.raises(DomainError) as refused:
        plan_create(actor=officer, entity=entity, fiscal_year=2026, lines=[line_data(), line_data(planned_month=14)])

    assert refused.value.field == "lines[1].planned_month"


def test_a_plan_without_lines_is_refused(officer, entity):
    before = footprint()

    with pytest.raises(DomainError) as refused:
        plan_create(actor=officer, entity=entity, fiscal_year=2026, lines=[])

    assert refused.value.field == "lines"
    assert footprint() == before


def test_publishing_supersedes_the_previous_version(officer, entity, frozen_clock):
    first = plan_publish(
        actor=officer, plan=plan_create(actor=officer, entity=entity, fiscal_year=2026, lines=[line_data()])
    )
    second = plan_create(actor=officer, entity=entity, fiscal_year=2026, lines=[line_data(), line_data()])
    frozen_clock.advance(days=1)

    published = plan_publish(actor=officer, plan=second)

    assert (second.version, published.status, published.published_at) == (2, "published", frozen_clock.now)
    first.refresh_from_db()
    assert first.status == "superseded"
    assert list(Plan.objects.filter(entity=entity).order_by("version").values_list("version", "status")) == [
        (1, "superseded"),
        (2, "published"),
    ]
    assert AuditEvent.objects.filter(action="plan.published").last().payload == {
        "fiscal_year": 2026,
        "version": 2,
        "supersedes": 1,
    }


def test_versions_are_counted_per_year_and_entity(officer, entity):
    plan_create(actor=officer, entity=entity, fiscal_year=2026, lines=[line_data()])
    other = entity_officer()

    next_year = plan_create(actor=officer, entity=entity, fiscal_year=2027, lines=[line_data()])
    other_entity = plan_create(
        actor=other, entity=other.memberships.get().organisation, fiscal_year=2026, lines=[line_data()]
    )

    assert (next_year.version, other_entity.version) == (1, 1)


def test_a_published_plan_is_not_published_again(officer, entity):
    plan = plan_publish(
        actor=officer, plan=plan_create(actor=officer, entity=entity, fiscal_year=2026, lines=[line_data()])
    )
    before = footprint()

    with pytest.raises(RuleViolation) as refused:
        plan_publish(actor=officer, plan=plan)

    assert refused.value.code == "invalid_transition"
    assert footprint() == before


def test_an_older_draft_cannot_replace_a_later_published_version(officer, entity):
    old_draft = plan_create(actor=officer, entity=entity, fiscal_year=2026, lines=[line_data()])
    newer = plan_publish(
        actor=officer, plan=plan_create(actor=officer, entity=entity, fiscal_year=2026, lines=[line_data()])
    )
    before = footprint()

    with pytest.raises(RuleViolation) as refused:
        plan_publish(actor=officer, plan=old_draft)

    assert refused.value.code == "stale_version"
    assert footprint() == before
    newer.refresh_from_db()
    assert newer.status == "published"


@pytest.mark.parametrize("who", ["anonymous", "other_entity_officer", "supplier_representative"])
def test_only_the_entity_officers_publish(who, officer, entity):
    plan = plan_create(actor=officer, entity=entity, fiscal_year=2026, lines=[line_data()])
    actor = {
        "anonymous": lambda: None,
        "other_entity_officer": entity_officer,
        "supplier_representative": lambda: member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE),
    }[who]()
    before = footprint()

    with pytest.raises(PermissionDenied):
        plan_publish(actor=actor, plan=plan)

    assert footprint() == before
    plan.refresh_from_db()
    assert (plan.status, plan.published_at) == ("draft", None)
