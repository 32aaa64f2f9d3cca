"""Settings for the test suite: the normal settings under PORTAL_ENV=test.

pytest-django imports settings before any conftest runs, so the profile is chosen here. The broker
is left out on purpose: tests run tasks in-process unless they start a real worker themselves.
"""

import os

os.environ["PORTAL_ENV"] = "test"
os.environ.pop("CELERY_BROKER_URL", None)
os.environ.pop("REDIS_URL", None)

from portal.settings import *  # noqa: E402, F403
