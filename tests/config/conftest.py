import pytest
from django.core.cache import cache

from config import public_cache


def forget_public_pages() -> None:
    cache.clear()
    public_cache.local_copies.clear()
    public_cache._version_seen = (None, 0.0)


@pytest.fixture
def public_cache_on(settings):
    """The page cache as production runs it, empty; one process here, so the shared version is read
    on every request (the delay across processes has its own test)."""
    settings.PUBLIC_CACHE_ENABLED = True
    settings.PUBLIC_CACHE_VERSION_TTL = 0
    forget_public_pages()
    yield
    forget_public_pages()
