"""Data-migration tests: move the test database to some migrations and back, and read the models as the
migrations applied at that point define them."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def latest() -> list[tuple[str, str]]:
    """Every app's newest migration: where a test must leave the database (in a `finally`)."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def migrate_to(targets):
    """Apply or unapply migrations up to `targets`; the historical apps registry of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps
