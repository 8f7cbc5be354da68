"""Concurrent deliveries on PostgreSQL: one event id stored and processed once, and progress from events
applied at the same moment ends at the highest percent."""

import time

import pytest
from django_tasks_db.models import DBTaskResult

from learning import events, progress, webhook
from learning.models import CourseEvent, Progress
from tests.concurrency import POSTGRESQL_ONLY, run_together
from tests.learning.conftest import assign, event, seated_order

pytestmark = POSTGRESQL_ONLY

ANA = "ana@studio.example"


@pytest.fixture
def seat(catalog):
    return assign(seated_order(catalog["level-i"], 2), 2, ANA)


def test_the_same_event_delivered_eight_times_at_once_is_stored_once(seat):
    payload = event("learner.started", ANA)
    DBTaskResult.objects.all().delete()

    results = run_together([lambda: webhook.record(events.read(payload), payload) for _ in range(8)])

    assert sorted(results) == ["duplicate"] * 7 + ["processed"]
    assert CourseEvent.objects.count() == 1
    assert DBTaskResult.objects.filter(task_path="learning.tasks.process_course_event").count() == 1


def test_progress_applied_at_once_ends_at_the_highest_percent(seat):
    t = int(time.time())
    for percent in (10, 90, 40, 70):
        payload = event("learner.progressed", ANA, created=t - percent, percent=percent)
        webhook.record(events.read(payload), payload)
    ids = list(CourseEvent.objects.values_list("pk", flat=True))

    results = run_together([lambda pk=pk: progress.apply(pk) for pk in ids])

    assert results == ["applied"] * 4
    assert Progress.objects.get().percent == 90
