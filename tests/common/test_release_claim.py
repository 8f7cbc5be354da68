"""`release_claim`: a worker puts back only its own claim of a task still running, never another worker's
newer claim, a task its lease already requeued, or one that finished."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from common.worker import release_claim, requeue_expired_leases
from tests.common import outage_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def claimed() -> DBTaskResult:
    """A task claimed by worker-a, as the worker holds it in memory."""
    result = DBTaskResult.objects.get(pk=outage_tasks.touch.enqueue("/nowhere", "x").id)
    result.claim("worker-a")
    return result


def status(result: DBTaskResult) -> str:
    return DBTaskResult.objects.get(pk=result.pk).status


def test_a_workers_own_claim_of_a_running_task_is_put_back_to_ready(claimed):
    assert release_claim(claimed, "worker-a") is True
    assert status(claimed) == "READY"
    assert DBTaskResult.objects.ready().filter(pk=claimed.pk).exists()


def test_another_workers_newer_claim_is_never_taken_back(claimed):
    DBTaskResult.objects.filter(pk=claimed.pk).update(status="READY")
    newer = DBTaskResult.objects.get(pk=claimed.pk)
    newer.claim("worker-b")

    assert release_claim(claimed, "worker-a") is False
    assert release_claim(newer, "worker-a") is False
    row = DBTaskResult.objects.get(pk=claimed.pk)
    assert (row.status, row.worker_ids) == ("RUNNING", ["worker-a", "worker-b"])


def test_a_task_its_lease_requeued_or_that_finished_stays_as_it_is(claimed, settings):
    settings.TASK_LEASE_SECONDS = 1
    assert list(requeue_expired_leases(timezone.now() + dt.timedelta(seconds=5)))

    assert release_claim(claimed, "worker-a") is False
    assert status(claimed) == "FAILED"

    other = DBTaskResult.objects.get(pk=outage_tasks.touch.enqueue("/nowhere", "y").id)
    other.claim("worker-a")
    other.set_successful("done")
    assert release_claim(other, "worker-a") is False
    assert status(other) == "SUCCESSFUL"
