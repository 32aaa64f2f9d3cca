"""The embedded default set-up (SQLite file, no broker) boots, loads the demo and serves pages.

Runs the real commands in child processes, as ``make run`` does, against a throw-away SQLite file.
"""

import os
import subprocess
import sys
import urllib.request
from http.cookiejar import CookieJar

import pytest

from tests.celery_harness import ROOT, free_port, wait_until


@pytest.fixture
def default_env(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "CELERY_", "REDIS_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "PORTAL_ENV": "development",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        }
    )
    return env


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True
    )


def fetch(url, opener=None):
    opener = opener or urllib.request.build_opener()
    with opener.open(url, timeout=10) as response:
        return response.status, response.headers, response.read()


def test_embedded_default_boots_loads_demo_and_serves_home(default_env, tmp_path):
    manage(default_env, "migrate", "--noinput")
    demo = manage(default_env, "demo")
    assert "proveedor" in demo.stdout
    assert manage(default_env, "demo").returncode == 0  # idempotent
    assert "intact" in manage(default_env, "verify_audit").stdout

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=default_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"

        def answers():
            try:
                return fetch(base + "/")
            except OSError:
                return None

        status, headers, body = wait_until(answers, timeout=60, what="runserver to answer")
        assert status == 200
        assert headers["Content-Language"] == "es"
        assert "Portal de Compras Públicas" in body.decode()

        css_status, _headers, css = fetch(base + "/static/css/portal.css")
        assert css_status == 200
        assert len(body) + len(css) < 50_000  # a public page, with its stylesheet, stays light

        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        status, _headers, login = fetch(base + "/account/login/", opener)
        assert status == 200
        assert b'name="csrfmiddlewaretoken"' in login
    finally:
        server.terminate()
        server.wait(timeout=10)
    # Notifications were delivered in-process, after commit, with no broker.
    assert any((tmp_path / "mail").iterdir())
