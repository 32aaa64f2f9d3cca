"""The registry's rules, through its services."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.utils import timezone

from portal.accounts.models import Membership, Organisation
from portal.audit.models import AuditEvent
from portal.core.errors import DomainError, RuleViolation
from portal.notifications.models import Notification
from smeregistry.models import EligibilityRecord, Supplier, SupplierCategory
from smeregistry.services.consortia import consortium_create
from smeregistry.services.eligibility import LotRequirements, eligibility_check
from smeregistry.services.policy import size_classify
from smeregistry.services.sanctions import sanction_record
from smeregistry.services.suppliers import (
    registry_expire_due,
    registry_send_expiry_reminders,
    supplier_register,
    supplier_renew,
    supplier_suspend,
    supplier_verify,
)
from smeregistry.sizing import covers, significant_prefix
from tests.factories import UserFactory, member
from tests.smeregistry.factories import operator, registered_supplier, supplier_data

pytestmark = pytest.mark.django_db

LOT = LotRequirements(reference="LP-1-2026/1", unspsc_codes=("43211500",), register="goods", mype_reserved=False)
RESERVED = LotRequirements(reference="LP-1-2026/2", unspsc_codes=("43211500",), register="goods", mype_reserved=True)


def snapshot():
    return {
        "organisations": Organisation.objects.count(),
        "suppliers": Supplier.objects.count(),
        "memberships": Membership.objects.count(),
        "categories": SupplierCategory.objects.count(),
        "audit": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }


def check(party, lot=LOT, at=None):
    with transaction.atomic():
        return eligibility_check(party=party, lot=lot, at=at)


# --- Size classification -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sales", "expected"),
    [
        ("0.00", "micro"),
        ("802500.00", "micro"),  # exactly 150 UIT of S/ 5,350
        ("802501.00", "small"),  # one sol more
        ("9095000.00", "small"),  # exactly 1,700 UIT
        ("9095000.01", "medium"),
        ("12305000.00", "medium"),  # exactly 2,300 UIT
        ("12305001.00", "large"),
    ],
)
def test_size_boundaries_of_law_30056_with_the_2025_uit(sales, expected):
    classification, basis = size_classify(
        jurisdiction="PE", sales=Decimal(sales), fiscal_year=2025, on=date(2026, 1, 1)
    )

    assert classification.size_class == expected
    assert basis["unit_value"] == "5350.00"


def test_the_uit_of_the_sales_year_is_used():
    # 150 UIT of 2024 (S/ 5,150) = 772,500: micro with 2024's UIT, and 772,501 is small.
    micro, _ = size_classify(jurisdiction="PE", sales=Decimal("772500"), fiscal_year=2024, on=date(2026, 1, 1))
    small, _ = size_classify(jurisdiction="PE", sales=Decimal("772501"), fiscal_year=2024, on=date(2026, 1, 1))

    assert (micro.size_class, small.size_class) == ("micro", "small")


def test_a_year_without_its_uit_uses_the_latest_earlier_one():
    classification, basis = size_classify(
        jurisdiction="PE", sales=Decimal("802500"), fiscal_year=2026, on=date(2026, 6, 1)
    )

    assert (classification.size_class, basis["unit_year"]) == ("micro", 2025)


def test_unspsc_prefixes_and_coverage():
    assert significant_prefix("43211500") == "432115"
    assert significant_prefix("43000000") == "43"
    assert covers(["4321"], "43211503")  # a family covers its commodities
    assert covers(["43211503"], "43211500")  # a commodity supplier supplies its class
    assert not covers(["4412"], "43211500")
    with pytest.raises(ValueError, match="8 digits"):
        significant_prefix("4321")


# --- Registration --------------------------------------------------------------------------------


def test_registration_computes_the_size_and_makes_the_person_representative():
    owner = UserFactory()

    supplier = supplier_register(actor=owner, data=supplier_data(annual_sales="802501.00"))

    assert (supplier.status, supplier.size_class, supplier.ruc) == ("pending", "small", supplier_data().ruc)
    assert set(Membership.objects.filter(user=owner).values_list("role", flat=True)) == {
        "supplier_representative",
        "administrator",
    }
    assert list(supplier.category_links.values_list("prefix", flat=True)) == ["4321"]
    assert AuditEvent.objects.filter(action="supplier.registered").count() == 1


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"ruc": "20123456789"}, "invalid_ruc", "ruc"),
        ({"ruc": "3012345678"}, "invalid_ruc", "ruc"),
        ({"legal_name": "  "}, "required", "legal_name"),
        ({"region_code": "99"}, "invalid_region", "region_code"),
        ({"district_ubigeo": "040101"}, "invalid_ubigeo", "district_ubigeo"),  # Arequipa's, not Lima's
        ({"email": "not-an-email"}, "invalid_email", "email"),
        ({"representative_document": "12"}, "invalid_dni", "representative_document"),
        ({"registers": []}, "invalid_registers", "registers"),
        ({"category_codes": ["99999999"]}, "invalid_categories", "category_codes"),
        ({"annual_sales": "mucho"}, "invalid_sales", "annual_sales"),
        ({"annual_sales": "-1"}, "invalid_sales", "annual_sales"),
        ({"sales_fiscal_year": 1990}, "invalid_fiscal_year", "sales_fiscal_year"),
        ({"employees": "many"}, "invalid_employees", "employees"),
    ],
)
def test_refused_registration_says_what_to_fix_and_leaves_nothing(overrides, code, field):
    owner = UserFactory()
    before = snapshot()

    with pytest.raises(DomainError) as refused:
        supplier_register(actor=owner, data=supplier_data(**overrides))

    assert (refused.value.code, refused.value.field) == (code, field)
    assert refused.value.message
    assert snapshot() == before


def test_duplicate_ruc_is_refused_and_leaves_nothing():
    registered_supplier(1)
    before = snapshot()

    with pytest.raises(RuleViolation) as refused:
        supplier_register(actor=UserFactory(), data=supplier_data(1, legal_name="Otra S.A.C."))

    assert refused.value.code == "duplicate_ruc"
    assert snapshot() == before


# --- Status and validity -------------------------------------------------------------------------


def test_only_operators_verify(frozen_clock):
    supplier = registered_supplier(verified=False)

    with pytest.raises(PermissionDenied):
        supplier_verify(actor=supplier.owner, supplier=supplier, approve=True)

    supplier = supplier_verify(actor=operator(), supplier=supplier, approve=True)
    today = timezone.localdate(frozen_clock.now)
    assert (supplier.status, supplier.valid_from) == ("active", frozen_clock.now.date())
    assert supplier.valid_until == frozen_clock.now.date() + timedelta(days=365)
    assert today  # validity counts calendar days from the day of verification


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (["verify"], True),
        (["reject"], True),
        (["verify", "suspend"], True),
        (["verify", "suspend", "reinstate"], True),
        (["reject", "suspend"], False),
        (["verify", "verify"], False),
        (["suspend"], False),
        (["reinstate"], False),
    ],
)
def test_status_transitions(path, allowed):
    from smeregistry.services.suppliers import supplier_reinstate

    supplier = registered_supplier(verified=False)
    actor = operator()
    steps = {
        "verify": lambda s: supplier_verify(actor=actor, supplier=s, approve=True),
        "reject": lambda s: supplier_verify(actor=actor, supplier=s, approve=False, reason="RUC no habido"),
        "suspend": lambda s: supplier_suspend(actor=actor, supplier=s, reason="Documentos falsos"),
        "reinstate": lambda s: supplier_reinstate(actor=actor, supplier=s),
    }
    *first, last = path
    for step in first:
        supplier = steps[step](supplier)
    status_before = Supplier.objects.get(pk=supplier.pk).status
    audit_before = AuditEvent.objects.count()

    if allowed:
        steps[last](supplier)
        assert AuditEvent.objects.count() == audit_before + 1
    else:
        with pytest.raises(RuleViolation) as refused:
            steps[last](supplier)
        assert refused.value.code == "invalid_transition"
        assert Supplier.objects.get(pk=supplier.pk).status == status_before
        assert AuditEvent.objects.count() == audit_before


def test_expiry_job_expires_once(frozen_clock):
    supplier = registered_supplier()
    day_after = supplier.valid_until + timedelta(days=1)

    assert registry_expire_due(today=supplier.valid_until) == 0  # still valid on its last day
    assert registry_expire_due(today=day_after) == 1
    assert registry_expire_due(today=day_after) == 0

    assert Supplier.objects.get(pk=supplier.pk).status == "expired"


def test_expiry_reminders_are_sent_once_even_if_the_job_runs_twice():
    supplier = registered_supplier()
    end = supplier.valid_until
    email_reminders = Notification.objects.filter(event="supplier.expiry_reminder", channel="email")

    assert registry_send_expiry_reminders(today=end - timedelta(days=61)) == 0
    assert registry_send_expiry_reminders(today=end - timedelta(days=60)) == 1
    assert registry_send_expiry_reminders(today=end - timedelta(days=60)) == 0  # twice the same day
    assert registry_send_expiry_reminders(today=end - timedelta(days=45)) == 0  # still the 60-day one
    assert registry_send_expiry_reminders(today=end - timedelta(days=29)) == 1  # a missed day: 30-day one
    assert registry_send_expiry_reminders(today=end - timedelta(days=7)) == 1
    assert registry_send_expiry_reminders(today=end - timedelta(days=7)) == 0

    keys = sorted(email_reminders.values_list("key", flat=True))
    assert [key.rsplit(":", 1)[1] for key in keys] == ["30", "60", "7"]


def test_renewal_extends_from_the_current_end_and_only_near_it(frozen_clock):
    supplier = registered_supplier()
    end = supplier.valid_until

    with pytest.raises(RuleViolation) as refused:
        supplier_renew(actor=supplier.owner, supplier=supplier)
    assert refused.value.code == "too_early_to_renew"

    frozen_clock.set(timezone.make_aware(datetime.combine(end - timedelta(days=20), datetime.min.time())))
    renewed = supplier_renew(actor=supplier.owner, supplier=supplier)
    assert renewed.valid_until == end + timedelta(days=365)


# --- Sanctions and eligibility -------------------------------------------------------------------


def reviewer():
    return member("oversight", "reviewer")


def test_sanction_starting_tomorrow_does_not_block_today():
    supplier = registered_supplier()
    today = timezone.localdate()
    sanction_record(
        actor=reviewer(),
        supplier=supplier,
        starts_on=today + timedelta(days=1),
        ends_on=None,
        reason="Fraude",
        source="Res. 1-2026-TCE",
    )

    assert check(supplier).eligible
    tomorrow = check(supplier, at=timezone.now() + timedelta(days=1))
    assert not tomorrow.eligible
    assert [reason["code"] for reason in tomorrow.reasons] == ["sanctioned"]


def test_sanction_that_ended_yesterday_does_not_block():
    supplier = registered_supplier()
    today = timezone.localdate()
    sanction_record(
        actor=reviewer(),
        supplier=supplier,
        starts_on=today - timedelta(days=30),
        ends_on=today - timedelta(days=1),
        reason="Incumplimiento",
        source="Res. 2-2026-TCE",
    )

    assert check(supplier).eligible


def test_only_the_oversight_body_records_sanctions():
    supplier = registered_supplier()

    with pytest.raises(PermissionDenied):
        sanction_record(
            actor=operator(), supplier=supplier, starts_on=timezone.localdate(), ends_on=None, reason="x", source="y"
        )


def test_a_sanction_cannot_end_before_it_starts():
    supplier = registered_supplier()
    today = timezone.localdate()

    with pytest.raises(DomainError) as refused:
        sanction_record(
            actor=reviewer(),
            supplier=supplier,
            starts_on=today,
            ends_on=today - timedelta(days=1),
            reason="x",
            source="y",
        )

    assert refused.value.code == "invalid_period"


def test_pending_supplier_is_not_eligible_and_the_record_says_why():
    supplier = registered_supplier(verified=False)

    record = check(supplier)

    assert not record.eligible
    assert [(r["code"], r["ruc"], r["status"]) for r in record.reasons] == [("inactive", supplier.ruc, "pending")]


def test_medium_supplier_is_not_eligible_for_a_reserved_lot_but_is_for_an_open_one():
    supplier = registered_supplier(annual_sales="10000000.00")  # about 1,869 UIT: medium

    assert check(supplier).eligible
    reserved = check(supplier, RESERVED)
    assert [reason["code"] for reason in reserved.reasons] == ["not_mype"]
    assert (reserved.size_class, reserved.is_mype) == ("medium", False)


def test_category_and_register_mismatch():
    supplier = registered_supplier(category_codes=["44120000"], registers=["services"])

    record = check(supplier)

    assert sorted(reason["code"] for reason in record.reasons) == ["category_mismatch", "register_missing"]


def test_eligibility_snapshot_survives_later_changes_and_cannot_be_edited():
    supplier = registered_supplier(annual_sales="100000.00")
    record = check(supplier, RESERVED)
    Supplier.objects.filter(pk=supplier.pk).update(annual_sales=Decimal("50000000"), size_class="large")

    record.refresh_from_db()
    assert (record.size_class, record.is_mype) == ("micro", True)
    assert record.snapshot["members"][0]["size_basis"]["sales"] == "100000.00"
    with pytest.raises(DatabaseError), transaction.atomic():
        EligibilityRecord.objects.filter(pk=record.pk).update(eligible=False)


# --- Consortia -----------------------------------------------------------------------------------


def test_consortium_with_one_medium_member_is_not_mype():
    lead = registered_supplier(1, annual_sales="100000.00")
    medium = registered_supplier(2, annual_sales="10000000.00")
    consortium = consortium_create(actor=lead.owner, name="Consorcio Sur", members=[(lead, "60"), (medium, "40")])

    record = check(consortium, RESERVED)

    assert (record.is_mype, record.size_class) == (False, "medium")
    assert [reason["code"] for reason in record.reasons] == ["not_mype"]
    assert [m["participation"] for m in record.snapshot["members"]] == ["60.00", "40.00"]


def test_consortium_of_mype_members_is_mype():
    lead = registered_supplier(1, annual_sales="100000.00")
    small = registered_supplier(2, annual_sales="2000000.00")
    consortium = consortium_create(
        actor=lead.owner, name="Consorcio Norte", members=[(lead, "50.50"), (small, "49.50")]
    )

    record = check(consortium, RESERVED)

    assert (record.eligible, record.is_mype, record.size_class) == (True, True, "small")


@pytest.mark.parametrize(
    ("shares", "code"),
    [
        (["60", "30"], "shares_not_100"),
        (["60", "40.001"], "invalid_share"),
        (["100", "0"], "invalid_share"),
        (["abc", "40"], "invalid_share"),
    ],
)
def test_consortium_shares_must_add_up_to_100(shares, code):
    lead, other = registered_supplier(1), registered_supplier(2)
    audit_before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        consortium_create(actor=lead.owner, name="C", members=[(lead, shares[0]), (other, shares[1])])

    assert refused.value.code == code
    assert AuditEvent.objects.count() == audit_before


def test_consortium_needs_two_active_members_and_the_leads_representative():
    lead, pending = registered_supplier(1), registered_supplier(2, verified=False)

    with pytest.raises(DomainError) as alone:
        consortium_create(actor=lead.owner, name="C", members=[(lead, "100")])
    with pytest.raises(RuleViolation) as inactive:
        consortium_create(actor=lead.owner, name="C", members=[(lead, "50"), (pending, "50")])
    with pytest.raises(PermissionDenied):
        consortium_create(actor=UserFactory(), name="C", members=[(lead, "50"), (registered_supplier(3), "50")])

    assert (alone.value.code, inactive.value.code) == ("too_few_members", "member_inactive")


def test_a_changed_rule_applies_at_once_in_this_process():
    from smeregistry.models import TaxUnitValue

    before, _ = size_classify(jurisdiction="PE", sales=Decimal("802501"), fiscal_year=2025, on=date(2026, 1, 1))
    TaxUnitValue.objects.filter(jurisdiction="PE", fiscal_year=2025).update(value=Decimal("6000"))
    cached, _ = size_classify(jurisdiction="PE", sales=Decimal("802501"), fiscal_year=2025, on=date(2026, 1, 1))
    unit = TaxUnitValue.objects.get(jurisdiction="PE", fiscal_year=2025)
    unit.save()  # an edit through the admin or a service sends post_save
    after, basis = size_classify(jurisdiction="PE", sales=Decimal("802501"), fiscal_year=2025, on=date(2026, 1, 1))

    assert (before.size_class, cached.size_class) == ("small", "small")  # a bare UPDATE waits for the TTL
    assert (after.size_class, basis["unit_value"]) == ("micro", "6000.00")  # 150 UIT of 6,000 = 900,000
