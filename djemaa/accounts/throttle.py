"""Counting attempts in the cache (Redis when REDIS_URL is set), to slow down guessing.

Counters live in a fixed window that starts at the first attempt; a key that reaches its
limit stays refused until the window ends. django-axes does this too, but with a database
table per attempt, its own lock-out page and middleware; two cache counters are all we need.
"""

import hashlib

from django.core.cache import cache


def _key(scope: str, value: str) -> str:
    # Hashed: keys stay short and no address or typed name sits in the cache in clear.
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()
    return f"djemaa:throttle:{scope}:{digest}"


def is_blocked(scope: str, value: str, limit: int) -> bool:
    return (cache.get(_key(scope, value)) or 0) >= limit


def record(scope: str, value: str, window_seconds: int) -> int:
    """Counts one attempt and returns the count so far in the window."""
    key = _key(scope, value)
    # add() only sets a missing key, so the window is not pushed back by later attempts.
    if cache.add(key, 1, timeout=window_seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window_seconds)
        return 1


def clear(scope: str, value: str) -> None:
    cache.delete(_key(scope, value))
