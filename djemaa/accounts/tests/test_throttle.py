"""The attempt counters, in the per-process cache and in Redis (what REDIS_URL selects)."""

import os
import time
import uuid

import pytest
import redis
from django.test import override_settings

from djemaa.accounts import throttle

REDIS_URL = os.environ.get("DJEMAA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _count_to_the_limit() -> None:
    for attempt in range(1, 4):
        assert not throttle.is_blocked("test", "Amina", limit=3)
        assert throttle.record("test", "amina ", window_seconds=60) == attempt
    # Names are counted whatever their case and surrounding blanks.
    assert throttle.is_blocked("test", "AMINA", limit=3)
    assert not throttle.is_blocked("test", "Karim", limit=3)
    throttle.clear("test", "Amina")
    assert not throttle.is_blocked("test", "Amina", limit=3)


def test_counters_block_at_the_limit_and_clear():
    _count_to_the_limit()


def test_a_counter_forgets_after_its_window():
    throttle.record("test", "Amina", window_seconds=1)
    assert throttle.record("test", "Amina", window_seconds=1) == 2
    time.sleep(1.1)
    assert throttle.record("test", "Amina", window_seconds=1) == 1


def test_counters_work_in_redis():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis server at {REDIS_URL}")
    location = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Unique per run: other test runs may share the server.
        "KEY_PREFIX": f"djemaa-test-{uuid.uuid4().hex}",
    }
    with override_settings(CACHES={"default": location}):
        _count_to_the_limit()
