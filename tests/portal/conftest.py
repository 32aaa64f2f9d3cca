"""Fixtures shared by the platform tests: one supplier organisation and the people around it."""

import pytest

from portal.accounts.enums import OrganisationKind, Role
from tests.factories import OrganisationFactory, member


@pytest.fixture
def org():
    return OrganisationFactory(kind=OrganisationKind.SUPPLIER, name="Textiles Andinos S.A.C.")


@pytest.fixture
def administrator(org):
    return member(OrganisationKind.SUPPLIER, Role.ADMINISTRATOR, org)


@pytest.fixture
def representative(org):
    return member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE, org)


@pytest.fixture
def outsider():
    """An administrator of another organisation."""
    return member(OrganisationKind.SUPPLIER, Role.ADMINISTRATOR)


@pytest.fixture
def people(administrator, representative, outsider):
    return {"administrator": administrator, "representative": representative, "outsider": outsider}
