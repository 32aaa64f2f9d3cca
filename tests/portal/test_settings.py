"""Production settings refuse to start without their secrets; passwords are hashed with Argon2."""

import os
import subprocess
import sys

import pytest

from tests.celery_harness import ROOT

PRODUCTION = {
    "PORTAL_ENV": "production",
    "DJANGO_SETTINGS_MODULE": "portal.settings",
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "compras.example.gob.pe",
    "EMAIL_URL": "smtp+tls://user:secret@smtp.example.gob.pe:587",
    "DATABASE_URL": "sqlite:///:memory:",
    "BID_SEALING_KEYS": "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
}


def run_check(env):
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION and not k.startswith("DATABASE_")}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DEBUG, settings.PASSWORD_HASHERS[0], settings.SESSION_COOKIE_SECURE)",
        ],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL", "BID_SEALING_KEYS"])
def test_production_does_not_start_without_its_secrets(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}

    result = run_check(env)

    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_production_profile_is_locked_down():
    result = run_check(PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.contrib.auth.hashers.Argon2PasswordHasher", "True"]
