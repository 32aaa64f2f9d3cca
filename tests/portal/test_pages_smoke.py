import pytest
from django.urls import reverse

from tests.factories import member

pytestmark = pytest.mark.django_db


def test_home_page_is_public_light_and_spanish_by_default(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response["Content-Language"] == "es"
    assert "Portal de Compras Públicas".encode() in response.content or b"Public Procurement" in response.content
    assert len(response.content) < 50_000


def test_signed_in_home_shows_acting_organisation(client):
    user = member("supplier", "supplier_representative")
    client.force_login(user)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert user.memberships.first().organisation.name.encode() in response.content
