import pytest
from django.core.cache import cache
from django.utils import translation


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    # The counters live in the cache, which outlives a test's database transaction.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _back_to_the_suites_language():
    # A test request activates the reader's language in the test's own thread, and it stays
    # active afterwards; these tests switch members to Arabic, so they put English back.
    yield
    translation.activate("en")
