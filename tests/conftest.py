import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from catalog.models import Product
from tests.postgresql import on_postgresql  # noqa: F401  (a fixture for every test module)


@pytest.fixture(scope="session", autouse=True)
def collected_static(tmp_path_factory):
    """Pages render through the production static storage (hashed names), so collect once per run."""
    settings.STATIC_ROOT = tmp_path_factory.mktemp("staticfiles")
    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite the test database is a file, not Django's shared in-memory one. With an in-memory database
    the live server's threads and the test share one connection, so a webhook arriving while the success
    page converges the same order fails with "cannot open savepoint - SQL statements in progress" (a 503 in
    the browser tests); a file gives each thread its own connection, the busy timeout and WAL, as `make run`
    has them."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = Path(tempfile.mkdtemp(prefix="cpma-test-db-"))
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")
        yield
        shutil.rmtree(folder, ignore_errors=True)
    else:
        yield


@pytest.fixture
def catalog(db) -> dict[str, Product]:
    """The launch catalogue as `make run` seeds it, keyed by slug."""
    call_command("load_catalog", verbosity=0)
    return {product.slug: product for product in Product.objects.all()}


@pytest.fixture
def faq_questions(db):
    """The launch FAQ as `make run` seeds it, in display order."""
    from faq.models import Question

    call_command("load_faq", verbosity=0)
    return list(Question.objects.all())


def pytest_configure(config):
    """A SQLite run gets PostgreSQL as a second database when one answers (tests/postgresql.py)."""
    from tests import postgresql

    postgresql.add_database()
