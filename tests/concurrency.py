"""Running calls at the same moment on PostgreSQL, for the tests of row locks and concurrent transactions."""

import threading

import pytest
from django.db import connection, connections

# The marks of a test module that needs real concurrent transactions.
POSTGRESQL_ONLY = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and concurrent transactions need PostgreSQL (SQLite serialises writers)",
    ),
]


def run_together(calls: list, timeout: float = 60) -> list:
    """Each call in its own thread and connection, released together by a barrier; returns each one's result,
    or the exception it raised (the test looks at what each thread met)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def work(index: int, call) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
