"""Test-wide fixtures.

The suite runs on whatever DATABASE_URL says (the README's command points it at the local
PostgreSQL when one answers). Tests marked ``postgres`` need PostgreSQL semantics and are skipped,
with the reason, on SQLite — except in CI (CI=true), where a missing service is a failure.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection

from portal.core import clock

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    if IN_CI:
        raise pytest.UsageError("CI must run the suite on PostgreSQL: set DATABASE_URL")
    skip = pytest.mark.skip(reason="needs PostgreSQL (row locks, concurrency): set DATABASE_URL=postgres://…")
    for item in items:
        if "postgres" in item.keywords or "celery_worker" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_clock_and_cache():
    from django.conf import settings
    from django.core.cache import cache
    from django.utils import translation

    from smeregistry.services.policy import reference_cache_clear

    cache.clear()
    reference_cache_clear()  # a rolled-back test must not leave its rules in the process's cache
    # A page asked for in English leaves English active in the thread: each test starts in the default.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    clock.set_source(None)
    reference_cache_clear()
    translation.activate(settings.LANGUAGE_CODE)


REFERENCE_DATA_MIGRATIONS = [
    # (model that shows the data is there, migration module whose ``load(apps, schema_editor)`` loads it)
    ("smeregistry.Region", "smeregistry.migrations.0002_reference_data"),
    ("procurement.ProcedureType", "procurement.migrations.0002_reference_data"),
    ("procurement.AppealFeeRule", "procurement.migrations.0007_fee_and_exchange_reference_data"),
]


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """Transactional tests end with a flush that also empties what data migrations loaded (regions,
    UNSPSC, size rules, procedure types, holidays); put it back for the tests that come after."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    request.getfixturevalue("transactional_db")
    from importlib import import_module

    from django.apps import apps

    for label, module in REFERENCE_DATA_MIGRATIONS:
        if not apps.get_model(label).objects.exists():
            import_module(module).load(apps, None)


@pytest.fixture
def frozen_clock():
    """A clock that stands still until the test moves it: ``frozen_clock.advance(seconds=…)``."""
    from datetime import timedelta

    from django.utils import timezone

    class FrozenClock:
        def __init__(self):
            self.now = timezone.now().replace(microsecond=0)
            clock.set_source(lambda: self.now)

        def advance(self, **delta):
            self.now += timedelta(**delta)
            return self.now

        def set(self, when):
            self.now = when
            return self.now

    return FrozenClock()


@pytest.fixture
def mailoutbox_backend(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
