from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from smeregistry.services.eligibility import LotRequirements, eligibility_check
from smeregistry.services.quotas import award_fact_record, quota_summary
from tests.factories import OrganisationFactory
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db


def test_register_verify_check_and_count_an_award():
    supplier = registered_supplier()
    assert (supplier.status, supplier.size_class) == ("active", "micro")  # 500,000 / 5,350 = 93.5 UIT

    with transaction.atomic():
        record = eligibility_check(
            party=supplier,
            lot=LotRequirements(reference="T-1/L-1", unspsc_codes=("43211500",), register="goods", mype_reserved=True),
        )
    assert record.eligible, record.reasons
    assert record.is_mype

    entity = OrganisationFactory(kind="entity")
    award_fact_record(
        source="T-1/L-1",
        entity=entity,
        party=supplier,
        eligibility=record,
        amount=Decimal("1000"),
        currency="PEN",
        amount_local=Decimal("1000"),
        awarded_on=date(2026, 3, 5),
    )
    summary = quota_summary(fiscal_year=2026, entity=entity)
    assert summary.total.share_by_value == Decimal("100.00")
    assert summary.light_by_value == "green"
