"""Fixtures most procurement tests share: a clock standing on a working Monday, and the cast of a
process — the entity's officer and committee member, the oversight body's reviewer."""

import pytest

from portal.accounts.enums import OrganisationKind, Role
from tests.factories import member
from tests.procurement.factories import MONDAY_9AM, entity_officer


@pytest.fixture
def clock(frozen_clock):
    """Monday 6 July 2026, 09:00 in Lima; tests move it with ``set`` and ``advance``."""
    frozen_clock.set(MONDAY_9AM)
    return frozen_clock


@pytest.fixture
def officer(clock):
    return entity_officer()


@pytest.fixture
def entity(officer):
    return officer.memberships.get().organisation


@pytest.fixture
def evaluator(entity):
    return member(OrganisationKind.CONTRACTING_ENTITY, Role.EVALUATOR, organisation=entity)


@pytest.fixture
def reviewer(clock):
    return member(OrganisationKind.OVERSIGHT_BODY, Role.REVIEWER)
