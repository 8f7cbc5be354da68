"""PostgreSQL for tests of what only PostgreSQL does (the order export's COPY), in a SQLite run too.

A run on SQLite (`make test`) adds a second database, the alias `postgresql`, when PostgreSQL answers at
TEST_POSTGRESQL_URL (default postgres://postgres@127.0.0.1:5432/postgres; empty turns it off); its test
database is named per process, so two runs on one machine never drop each other's. A run on PostgreSQL
(DATABASE_URL) uses its own database. The tests marked `postgresql_only` ask for `on_postgresql`, which
sends every query of the test to PostgreSQL, and are skipped only when no PostgreSQL answers.

Only code that names the database of its transactions can be tested this way (the export's use the
queryset's own, `lines.db`): the services' `transaction.atomic` is the default database's, so the
concurrency tests of row locks still need a run on PostgreSQL (DATABASE_URL, as CI's second pass).
"""

import os

import pytest
from django.conf import settings
from django.db import connections

ALIAS = "postgresql"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def add_database() -> None:
    """Called once before any test module is collected (tests/conftest.py)."""
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    url = os.environ.get("TEST_POSTGRESQL_URL", DEFAULT_URL)
    if not url or not _answers(url):
        return
    import environ

    config = environ.Env.db_url_config(url)
    # Tables made from the models, not by migrating: data migrations use the default database (the only one
    # the shop has), and the tests that use this one make all their own rows.
    config["TEST"] = {"NAME": f"test_cpma_{os.getpid()}", "MIGRATE": False}
    settings.DATABASES[ALIAS] = config
    connections.__dict__.pop("settings", None)  # in case anything read the list of databases already


def _answers(url: str) -> bool:
    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    try:
        psycopg.connect(
            dbname=config["NAME"] or "postgres",
            user=config["USER"],
            password=config["PASSWORD"] or None,
            host=config["HOST"],
            port=config["PORT"] or 5432,
            connect_timeout=2,
        ).close()
    except psycopg.Error:
        return False
    return True


def alias() -> str | None:
    """The database alias that is PostgreSQL in this run, or None."""
    if connections["default"].vendor == "postgresql":
        return "default"
    return ALIAS if ALIAS in settings.DATABASES else None


def postgresql_only(test):
    """Run the test on PostgreSQL: this run's own, or the second database beside SQLite."""
    databases = ["default", ALIAS] if alias() == ALIAS else ["default"]
    test = pytest.mark.django_db(databases=databases)(test)
    return pytest.mark.skipif(
        alias() is None, reason="no PostgreSQL answers at TEST_POSTGRESQL_URL (127.0.0.1:5432 by default)"
    )(test)


class SendEverythingTo:
    """A database router for one test: every read and write goes to one database."""

    def __init__(self, database: str) -> None:
        self.database = database

    def db_for_read(self, model, **hints) -> str:
        return self.database

    def db_for_write(self, model, **hints) -> str:
        return self.database

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True


@pytest.fixture
def on_postgresql(settings):
    """The PostgreSQL alias of this run, with the test's queries sent to it."""
    name = alias()
    if name is None:
        pytest.skip("no PostgreSQL answers")
    if name != "default":
        settings.DATABASE_ROUTERS = [SendEverythingTo(name)]
    return name
