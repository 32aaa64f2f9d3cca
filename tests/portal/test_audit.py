"""The audit trail: a hash chain that the database refuses to change and verify_audit checks."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from portal.audit.models import AuditEvent, AuditHead
from portal.audit.services import audit_record, audit_verify
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def record_events(count=5):
    actor = UserFactory()
    organisation = OrganisationFactory()
    with transaction.atomic():
        return [
            audit_record(
                actor=actor,
                organisation=organisation,
                action="tender.published",
                object_type="procurement.tender",
                object_id=index,
                payload={"amount": "1500.00", "index": index},
            )
            for index in range(count)
        ]


def tamper(sql, params):
    """Change the table behind the trigger's back, as someone with the table owner's rights could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute(sql, params)


def test_events_form_a_chain_and_verify_passes(capsys):
    events = record_events(3)

    assert events[0].prev_hash == "0" * 64
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert AuditHead.objects.get().last_hash == events[2].hash
    assert list(audit_verify()) == []
    call_command("verify_audit")
    assert "audit trail intact: 3 events" in capsys.readouterr().out


def test_actor_and_payload_are_recorded_as_given():
    event = record_events(1)[0]
    event.refresh_from_db()

    assert event.actor_label.startswith("user:")
    assert event.payload == {"amount": "1500.00", "index": 0}
    assert event.object_id == "0"


@pytest.mark.django_db(transaction=True)
def test_audit_must_be_written_inside_the_business_transaction():
    with pytest.raises(RuntimeError):
        audit_record(actor=None, action="x")
    assert AuditEvent.objects.count() == 0


def test_database_refuses_to_update_an_event():
    event = record_events(1)[0]

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tender.cancelled")

    event.refresh_from_db()
    assert event.action == "tender.published"


@pytest.mark.postgres
def test_database_refuses_to_delete_an_event():
    event = record_events(1)[0]

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_verify_audit_names_an_edited_row():
    events = record_events(5)
    tamper("UPDATE audit_auditevent SET payload = %s WHERE id = %s", ['{"amount": "1.00", "index": 2}', events[2].pk])

    with pytest.raises(CommandError, match=rf"broken at event #{events[2].pk}: content does not match"):
        call_command("verify_audit")


def test_verify_audit_names_the_row_after_a_deleted_one():
    events = record_events(5)
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])

    with pytest.raises(CommandError, match=rf"broken at event #{events[2].pk}: previous hash does not match"):
        call_command("verify_audit")


def test_verify_audit_notices_deleted_rows_at_the_end():
    events = record_events(5)
    tamper("DELETE FROM audit_auditevent WHERE id >= %s", [events[3].pk])

    with pytest.raises(CommandError, match=r"rows at the end were deleted"):
        call_command("verify_audit")


def test_verify_audit_catches_a_recomputed_edit_hidden_by_rehashing_one_row():
    # Rewriting a row and its own hash still breaks the link to the next row.
    events = record_events(3)
    tamper("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["f" * 64, events[1].pk])

    problems = list(audit_verify())
    assert [problem.event_id for problem in problems] == [events[1].pk]


@pytest.mark.parametrize(
    "model", ["audit.auditevent", "smeregistry.eligibilityrecord", "smeregistry.sanction", "smeregistry.awardfact"]
)
def test_evidence_is_read_only_even_for_a_superuser_in_the_admin(admin_client, model):
    from django.urls import reverse

    app, name = model.split(".")

    assert admin_client.get(reverse(f"admin:{app}_{name}_add")).status_code == 403
    assert admin_client.get(reverse(f"admin:{app}_{name}_changelist")).status_code == 200
