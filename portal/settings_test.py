"""Settings for the test suite: the normal settings under PORTAL_ENV=test.

pytest-django imports settings before any conftest runs, so the profile is chosen here. The broker
is left out on purpose: tests run tasks in-process unless they start a real worker themselves.
"""

import os

os.environ["PORTAL_ENV"] = "test"
# A broker given to the test run (CI: the machine's Redis) is kept for the real-worker tests only.
_broker = os.environ.pop("CELERY_BROKER_URL", "")
os.environ.pop("REDIS_URL", None)

from portal.settings import *  # noqa: E402, F403

TEST_BROKER_URL = _broker
