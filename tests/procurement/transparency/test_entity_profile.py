"""An entity's profile (sector, region) is copied into its public rows: editing it in the admin
rewrites them, and ``rebuild_transparency`` rewrites every row (and the agreed prices) on demand."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from procurement.models import EntityProfile, PricePoint, PublicProcess
from smeregistry.models import Region
from tests.factories import UserFactory
from tests.procurement.transparency.search_world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(clock):
    return build(clock)


def test_editing_the_profile_in_the_admin_rewrites_the_entitys_public_rows(client, world):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    entity = world.salud.entity
    url = reverse("admin:procurement_entityprofile_change", args=[entity.pk])
    puno = Region.objects.get(country="PE", code="21")

    response = client.post(
        url, {"organisation": entity.pk, "sector": "education", "level": "national", "region": puno.pk}
    )

    assert response.status_code == 302
    rows = PublicProcess.objects.filter(entity=entity)
    assert rows.exists()
    assert set(rows.values_list("sector", "region_code")) == {("education", "21")}


def test_rebuild_rewrites_rows_and_prices_from_the_tenders(world, capsys):
    rows, points = PublicProcess.objects.count(), PricePoint.objects.count()
    EntityProfile.objects.filter(organisation=world.cusco.entity).update(sector="education")
    PublicProcess.objects.all().delete()
    PricePoint.objects.all().delete()

    call_command("rebuild_transparency", chunk=2)

    assert PublicProcess.objects.count() == rows
    assert PricePoint.objects.count() == points > 0
    assert set(PublicProcess.objects.filter(entity=world.cusco.entity).values_list("sector", flat=True)) == {
        "education"
    }
    assert not PublicProcess.objects.filter(tender=world.draft).exists()
    assert "Done:" in capsys.readouterr().out
