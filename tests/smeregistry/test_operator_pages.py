"""The operator's verification pages and the oversight body's sanction form."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.html import escape

from portal.accounts.enums import OrganisationKind, Role
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification
from smeregistry.models import Sanction, Supplier, SupplierDocument
from smeregistry.services.suppliers import supplier_suspend
from smeregistry.views.public import lima_today
from tests.factories import member
from tests.portal.api_helpers import in_spanish
from tests.portal.test_accessibility import audit
from tests.smeregistry.factories import operator, registered_supplier
from tests.smeregistry.test_api import registry_snapshot

pytestmark = pytest.mark.django_db

DENIED_OPERATOR = "Only the registry's operators may do this."
DENIED_OVERSIGHT = "Only the oversight body records sanctions."


def people() -> dict:
    """Everyone who could try to use the operator's pages."""
    return {
        "operator_reviewer": operator(),
        "operator_administrator": member(OrganisationKind.PLATFORM_OPERATOR, Role.ADMINISTRATOR),
        "oversight_reviewer": member(OrganisationKind.OVERSIGHT_BODY, Role.REVIEWER),
        "oversight_administrator": member(OrganisationKind.OVERSIGHT_BODY, Role.ADMINISTRATOR),
        "entity_officer": member(OrganisationKind.CONTRACTING_ENTITY, Role.PROCUREMENT_OFFICER),
        "supplier_representative": member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE),
    }


def signed_in(client, who):
    if who is not None:
        client.force_login(who)
    return client


def status_of(supplier) -> tuple[str, str]:
    supplier.refresh_from_db()
    return supplier.status, supplier.status_reason


# --- The verification queue ---------------------------------------------------------------------------


def test_queue_lists_pending_registrations_oldest_first_and_recent_decisions(client):
    first = registered_supplier(1, verified=False)
    second = registered_supplier(2, verified=False)
    decided = registered_supplier(3)

    response = signed_in(client, operator()).get(reverse("registry-operator"))

    assert response.status_code == 200
    assert [s.ruc for s in response.context["pending"]] == [first.ruc, second.ruc]
    assert [s.ruc for s in response.context["recent"]] == [decided.ruc]
    assert audit(response).scripts == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("operator_reviewer", 200),
        ("operator_administrator", 200),
        ("oversight_reviewer", 403),
        ("entity_officer", 403),
        ("supplier_representative", 403),
    ],
)
def test_queue_permissions(client, who, status):
    response = signed_in(client, people()[who]).get(reverse("registry-operator"))

    assert response.status_code == status
    if status == 403:
        assert escape(in_spanish(DENIED_OPERATOR)) in response.content.decode()


@pytest.mark.parametrize("url_name", ["registry-operator", "registry-operator-supplier", "sanction-create"])
def test_anonymous_people_are_sent_to_sign_in(client, url_name):
    supplier = registered_supplier(1)
    url = reverse(url_name, args=[supplier.ruc] if url_name == "registry-operator-supplier" else [])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


# --- One registration ---------------------------------------------------------------------------------


def test_the_operator_sees_the_full_record_with_exact_sales_and_documents(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    supplier = registered_supplier(1, verified=False, annual_sales="654321.98", phone="01 4445555")
    document = SupplierDocument(
        owner=supplier.owner,
        supplier=supplier,
        doc_type="ruc_record",
        original_name="ficha-ruc.pdf",
        content_type="application/pdf",
        size=9,
        sha256="a" * 64,
    )
    document.file.save("ficha-ruc.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    client = signed_in(client, operator())

    page = client.get(reverse("registry-operator-supplier", args=[supplier.ruc]))
    download = client.get(reverse("registry-operator-document", args=[supplier.ruc, document.pk]))

    assert page.status_code == 200
    content = page.content.decode()
    assert page.context["supplier"].annual_sales == Decimal("654321.98")
    assert "S/ 654,321.98" in content  # the exact figure, in the Spanish number format
    assert "41234567" in content  # the representative's DNI
    assert reverse("registry-operator-document", args=[supplier.ruc, document.pk]) in content
    assert set(page.context["decisions"]) == {"approve", "reject"}
    found = audit(page)
    assert found.unlabelled() == []
    assert found.scripts == 0
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4\n"
    assert download["Content-Disposition"] == 'attachment; filename="ficha-ruc.pdf"'


def test_documents_are_not_downloadable_by_others(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    supplier = registered_supplier(1, verified=False)
    document = SupplierDocument(
        owner=supplier.owner,
        supplier=supplier,
        doc_type="other",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="b" * 64,
    )
    document.file.save("x.pdf", ContentFile(b"x"), save=True)

    response = signed_in(client, people()["entity_officer"]).get(
        reverse("registry-operator-document", args=[supplier.ruc, document.pk])
    )

    assert response.status_code == 403


def test_unknown_ruc_is_a_404_for_the_operator(client):
    response = signed_in(client, operator()).get(reverse("registry-operator-supplier", args=["20999999999"]))

    assert response.status_code == 404


def test_approve_activates_for_the_policys_validity(client):
    supplier = registered_supplier(1, verified=False)
    actor = operator()

    response = signed_in(client, actor).post(
        reverse("registry-operator-supplier", args=[supplier.ruc]), {"action": "approve"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("registry-operator-supplier", args=[supplier.ruc])
    supplier.refresh_from_db()
    assert supplier.status == "active"
    assert supplier.valid_until - supplier.valid_from == timedelta(days=365)
    assert list(AuditEvent.objects.filter(action="supplier.active").values_list("actor_id", flat=True)) == [actor.pk]


def test_reject_needs_a_reason_and_writes_nothing_without_one(client):
    supplier = registered_supplier(1, verified=False)
    client = signed_in(client, operator())
    before = registry_snapshot()

    response = client.post(
        reverse("registry-operator-supplier", args=[supplier.ruc]), {"action": "reject", "reject-reason": "  "}
    )

    assert response.status_code == 400
    assert response.context["decisions"]["reject"].errors == {
        "reason": [in_spanish("Say why the registration is rejected.")]
    }
    assert registry_snapshot() == before
    assert status_of(supplier) == ("pending", "")


def test_reject_with_a_reason(client):
    supplier = registered_supplier(1, verified=False)

    response = signed_in(client, operator()).post(
        reverse("registry-operator-supplier", args=[supplier.ruc]),
        {"action": "reject", "reject-reason": "La ficha RUC no corresponde"},
    )

    assert response.status_code == 302
    assert status_of(supplier) == ("rejected", "La ficha RUC no corresponde")
    assert Notification.objects.filter(event="supplier.status_changed", recipient=supplier.owner).exists()


def test_suspend_then_reinstate(client):
    supplier = registered_supplier(1)
    client = signed_in(client, operator())
    url = reverse("registry-operator-supplier", args=[supplier.ruc])

    suspended = client.post(url, {"action": "suspend", "suspend-reason": "Documentos observados"})
    after_suspension = status_of(supplier)
    page = client.get(url)
    reinstated = client.post(url, {"action": "reinstate"})

    assert (suspended.status_code, after_suspension) == (302, ("suspended", "Documentos observados"))
    assert set(page.context["decisions"]) == {"reinstate"}
    assert reinstated.status_code == 302
    assert status_of(supplier) == ("active", "")


def test_suspend_without_a_reason_changes_nothing(client):
    supplier = registered_supplier(1)
    client = signed_in(client, operator())
    before = registry_snapshot()

    response = client.post(reverse("registry-operator-supplier", args=[supplier.ruc]), {"action": "suspend"})

    assert response.status_code == 400
    assert response.context["decisions"]["suspend"].errors == {
        "reason": [in_spanish("Say why the supplier is suspended.")]
    }
    assert registry_snapshot() == before


def test_a_decision_the_status_does_not_allow_is_refused_as_a_conflict(client):
    supplier = registered_supplier(1)  # already active
    client = signed_in(client, operator())
    before = registry_snapshot()

    response = client.post(reverse("registry-operator-supplier", args=[supplier.ruc]), {"action": "reinstate"})

    assert response.status_code == 409
    assert escape(in_spanish("Only a suspended supplier can be reinstated.")) in response.content.decode()
    assert registry_snapshot() == before


def test_an_unknown_action_is_a_bad_request(client):
    supplier = registered_supplier(1, verified=False)
    client = signed_in(client, operator())
    before = registry_snapshot()

    response = client.post(reverse("registry-operator-supplier", args=[supplier.ruc]), {"action": "delete"})

    assert response.status_code == 400
    assert registry_snapshot() == before


@pytest.mark.parametrize("who", ["oversight_reviewer", "entity_officer", "supplier_representative"])
@pytest.mark.parametrize(
    ("initial", "action", "reason"),
    [
        ("pending", "approve", ""),
        ("pending", "reject", "x"),
        ("active", "suspend", "x"),
        ("suspended", "reinstate", ""),
    ],
)
def test_decisions_by_others_are_forbidden_and_change_nothing(client, who, initial, action, reason):
    supplier = registered_supplier(1, verified=initial != "pending")
    if initial == "suspended":
        supplier_suspend(actor=operator(), supplier=supplier, reason="Observado")
    actor = people()[who]
    before = registry_snapshot()

    response = signed_in(client, actor).post(
        reverse("registry-operator-supplier", args=[supplier.ruc]), {"action": action, f"{action}-reason": reason}
    )

    assert response.status_code == 403
    assert registry_snapshot() == before
    assert Supplier.objects.get(pk=supplier.pk).status == initial


def test_the_supplier_itself_cannot_approve_its_registration(client):
    supplier = registered_supplier(1, verified=False)
    before = registry_snapshot()

    response = signed_in(client, supplier.owner).post(
        reverse("registry-operator-supplier", args=[supplier.ruc]), {"action": "approve"}
    )

    assert response.status_code == 403
    assert registry_snapshot() == before


# --- Sanctions ----------------------------------------------------------------------------------------


def sanction_form(supplier, **overrides) -> dict:
    values = {
        "ruc": supplier.ruc,
        "starts_on": lima_today().isoformat(),
        "ends_on": "",
        "reason": "Presentó documentación falsa",
        "source": "Resolución N.° 123-2026-TCE",
    }
    values.update(overrides)
    return values


def test_the_oversight_body_records_a_sanction(client):
    supplier = registered_supplier(1)
    reviewer = people()["oversight_reviewer"]
    client = signed_in(client, reviewer)

    form_page = client.get(reverse("sanction-create"))
    response = client.post(
        reverse("sanction-create"), sanction_form(supplier, starts_on="2026-01-05", ends_on="2027-01-04")
    )

    assert form_page.status_code == 200
    assert audit(form_page).unlabelled() == []
    assert response.status_code == 302
    assert response["Location"] == reverse("supplier-profile", args=[supplier.ruc])
    recorded = Sanction.objects.values_list("supplier_id", "starts_on", "ends_on", "reason", "source", "recorded_by")
    assert list(recorded) == [
        (
            supplier.pk,
            date(2026, 1, 5),
            date(2027, 1, 4),
            "Presentó documentación falsa",
            "Resolución N.° 123-2026-TCE",
            reviewer.pk,
        )
    ]
    assert AuditEvent.objects.filter(action="sanction.recorded").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ruc": "20999999999"}, "ruc", "No supplier with that RUC is registered."),
        ({"starts_on": "05/01/2026x"}, "starts_on", "Enter a valid date."),
        ({"reason": ""}, "reason", "This field is required."),
        ({"source": ""}, "source", "This field is required."),
        ({"starts_on": "2026-02-01", "ends_on": "2026-01-31"}, "ends_on", "A sanction cannot end before it starts."),
    ],
)
def test_invalid_sanctions_are_refused_and_nothing_is_written(client, overrides, field, message):
    supplier = registered_supplier(1)
    client = signed_in(client, people()["oversight_reviewer"])
    before = registry_snapshot()

    response = client.post(reverse("sanction-create"), sanction_form(supplier, **overrides))

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [in_spanish(message)]
    assert registry_snapshot() == before


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("oversight_reviewer", 302),
        ("oversight_administrator", 403),
        ("operator_reviewer", 403),
        ("entity_officer", 403),
        ("supplier_representative", 403),
    ],
)
def test_sanction_create_permissions(client, who, status):
    supplier = registered_supplier(1)
    client = signed_in(client, people()[who])
    before = registry_snapshot()

    page = client.get(reverse("sanction-create"))
    response = client.post(reverse("sanction-create"), sanction_form(supplier))

    assert (page.status_code, response.status_code) == ((200, 302) if status == 302 else (403, 403))
    if status == 403:
        assert escape(in_spanish(DENIED_OVERSIGHT)) in response.content.decode()
        assert registry_snapshot() == before
    else:
        assert Sanction.objects.count() == 1
