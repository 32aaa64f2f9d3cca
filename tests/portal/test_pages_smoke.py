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


def test_browser_language_is_ignored_spanish_unless_chosen(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response["Content-Language"] == "es"
    assert "Ingresar" in response.content.decode()


def test_a_person_with_english_as_language_reads_english(client):
    user = member("supplier", "supplier_representative")
    user.language = "en"
    user.save()
    client.force_login(user)

    response = client.get(reverse("home"))

    assert response["Content-Language"] == "en"
    assert "Sign out" in response.content.decode()


def test_the_switcher_choice_wins_over_the_account_language(client):
    user = member("supplier", "supplier_representative")
    user.language = "en"
    user.save()
    client.force_login(user)

    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    response = client.get(reverse("home"))

    assert response["Content-Language"] == "es"
