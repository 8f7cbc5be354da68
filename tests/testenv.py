"""Loaded with `-p tests.testenv` before Django reads its settings: the environment the suite runs in.

Only what the settings require is set here, with setdefault, so CI can still point DATABASE_URL at
PostgreSQL.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("EMAIL_URL", "consolemail://")
os.environ.setdefault("CACHE_URL", "locmemcache://")
# The test client speaks plain http; tests that check the https redirect and HSTS turn them on themselves.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# Tests change prices between requests; the page cache has its own tests (tests/config/test_public_cache.py),
# which switch it on and also check that every public page is cacheable.
os.environ.setdefault("PUBLIC_CACHE_ENABLED", "false")
# The real tax registries are never asked from tests (tests/tax/ serves recorded answers to the clients).
os.environ.setdefault("TAX_ID_REGISTRY", "fake")
