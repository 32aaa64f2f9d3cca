"""A private Redis and a real Celery worker (with beat) for tests that need the real thing.

The Redis server is started by the test on a free loopback port, so a test may stop and restart it
to simulate a broker outage without touching anyone else's Redis. The worker is a separate process
running ``celery -A portal worker --beat`` against the test database.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import redis
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


class PrivateRedis:
    def __init__(self, workdir: Path):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        wait_until(lambda: _ping(client), timeout=10, what="redis-server to answer")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def _ping(client) -> bool:
    try:
        return client.ping()
    except redis.RedisError:
        return False


def database_url() -> str:
    settings = connection.settings_dict
    user = settings.get("USER") or ""
    auth = f"{user}@" if user else ""
    return f"postgres://{auth}{settings.get('HOST') or '127.0.0.1'}:{settings.get('PORT') or 5432}/{settings['NAME']}"


class CeleryWorker:
    """``celery -A portal worker --beat`` as a child process, logging to a file for post-mortems.

    Supervised as production runs it (systemd ``Restart=always``): if the worker exits on its own it
    is started again, and ``restarts`` counts how often. kombu's Redis transport can crash a worker
    when the broker vanishes ("Unrecoverable error: AttributeError … 'hostname'"); the outbox makes
    that harmless only if something restarts the worker, which is what this reproduces.
    """

    def __init__(self, *, broker_url: str, workdir: Path, mail_dir: Path, extra_env: dict[str, str] | None = None):
        self.env = {
            **os.environ,
            "PORTAL_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "portal.settings",  # not settings_test, which drops the broker
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_FILE_PATH": str(mail_dir),
            "NOTIFICATION_SWEEP_SECONDS": "1",
            "NOTIFICATION_STRANDED_AFTER": "3",
            "LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
        self.env.pop("REDIS_URL", None)
        self.workdir = workdir
        self.log_path = workdir / "worker.log"
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None

    def start(self) -> None:
        self._stopping.clear()
        self._spawn()
        self._supervisor = threading.Thread(target=self._supervise, daemon=True)
        self._supervisor.start()

    def _supervise(self) -> None:
        while not self._stopping.wait(0.5):
            if self.process is not None and self.process.poll() is not None:
                self.restarts += 1
                with self.log_path.open("a") as log:
                    log.write(
                        f"\n=== supervisor: worker exited ({self.process.returncode}); restart #{self.restarts}\n"
                    )
                self._spawn()

    def _spawn(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--beat",
                "--concurrency",
                "2",
                "--loglevel",
                "WARNING",
                "--schedule",
                str(self.workdir / "beat-schedule"),
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        self._stopping.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout=5)
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
