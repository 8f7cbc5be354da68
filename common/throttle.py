"""Counting requests per key in the cache, for rate limits (sign-in links, payment requests)."""

from django.core.cache import cache


def count(key: str, window_seconds: int) -> int:
    """Count one more request under `key` within a window that starts with the first; returns the count."""
    cache.add(key, 0, window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window_seconds)
        return 1
