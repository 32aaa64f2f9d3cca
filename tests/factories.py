"""factory_boy factories for the platform's objects."""

from __future__ import annotations

import factory
from stdnum.pe import ruc

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.models import Membership, Organisation, User

TEST_PASSWORD = "correct-horse-battery-9"


def valid_ruc(n: int, *, kind_prefix: str = "20") -> str:
    """A syntactically valid RUC (right check digit) built from a sequence number."""
    body = f"{kind_prefix}{n:08d}"
    return body + ruc.calc_check_digit(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.pe")
    first_name = factory.Faker("first_name", locale="es")
    last_name = factory.Faker("last_name", locale="es")
    language = "es"
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.SUPPLIER
    name = factory.Sequence(lambda n: f"Organización {n} S.A.C.")
    tax_id = factory.Sequence(lambda n: valid_ruc(n + 1000))
    country = "PE"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.SUPPLIER_REPRESENTATIVE


def member(kind: str, role: str, organisation: Organisation | None = None) -> User:
    """A user holding ``role`` in an organisation of ``kind`` (a new one unless given)."""
    organisation = organisation or OrganisationFactory(kind=kind)
    return MembershipFactory(organisation=organisation, role=role).user
