"""Djemaa's settings plus one route, /bench/1k/, for the benchmark's reference ceiling.

Served by `djemaa serve` with DJANGO_SETTINGS_MODULE=bench.settings (PYTHONPATH at the
project's root): the same server, middleware and configuration as the forum, minus the forum's
own work. Never used by a site.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
