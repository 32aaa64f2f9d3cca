"""Settings for the gunicorn process of ``deadline_spike.py``: the portal's, with a URLconf that adds
the bare create endpoint it compares the bid API with. Loaded with ``DJANGO_SETTINGS_MODULE=spike_settings``
and ``bench/`` on the Python path."""

from portal.settings import *  # noqa: F403 - the portal's settings, with only the URLconf changed

ROOT_URLCONF = "spike_urls"
