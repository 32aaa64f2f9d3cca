"""The portal's clock: injectable for tests, faster for a demo, never faster in production."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from portal.core import clock
from tests.portal.test_settings import PRODUCTION, run_check

START = datetime(2026, 7, 6, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _reread_speed():
    clock.reset()
    yield
    clock.reset()


def test_an_accelerated_source_runs_speed_times_faster_from_its_start():
    counter = iter([100.0, 100.0, 101.5]).__next__
    source = clock.accelerated(60, start=START, started=counter(), counter=counter)

    assert source() == START
    assert source() == START + timedelta(seconds=90)


def test_a_clock_slower_than_real_time_is_refused():
    with pytest.raises(ImproperlyConfigured):
        clock.accelerated(0.5, start=START, started=0.0)


def test_the_configured_speed_counts_from_the_process_start(settings, monkeypatch):
    settings.PORTAL_CLOCK_SPEED = 60.0
    monkeypatch.setattr(clock, "_origin", (START, time.monotonic() - 10))

    assert START + timedelta(seconds=600) <= clock.now() < START + timedelta(seconds=660)
    assert clock.today() == START.date()


def test_an_injected_source_wins_over_the_speed(settings, frozen_clock):
    settings.PORTAL_CLOCK_SPEED = 60.0

    assert clock.now() == frozen_clock.now


def test_at_speed_one_the_clock_is_real_time(settings):
    settings.PORTAL_CLOCK_SPEED = 1.0

    assert abs(clock.now() - timezone.now()) < timedelta(seconds=1)


def test_the_clock_refuses_a_speed_in_production(settings):
    settings.PRODUCTION = True
    settings.PORTAL_CLOCK_SPEED = 60.0

    with pytest.raises(ImproperlyConfigured):
        clock.now()


def test_production_settings_refuse_an_accelerated_clock():
    result = run_check({**PRODUCTION, "PORTAL_CLOCK_SPEED": "60"})

    assert result.returncode != 0
    assert "PORTAL_CLOCK_SPEED must be 1 in production" in result.stderr
