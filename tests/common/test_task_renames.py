"""Tasks queued under the name they had before the apps were split still run: the worker follows
settings.TASK_PATH_ALIASES when it claims a row (the migration renames the rows already there)."""

import pytest
from django_tasks_db.models import DBTaskResult

from common.worker import ResilientWorker
from tests.common import outage_tasks

OLD_NAME = "checkout.tasks.touch"

pytestmark = pytest.mark.django_db(transaction=True)


def _worker() -> ResilientWorker:
    return ResilientWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="rename-test",
        excluded_queue_names=[],
    )


def test_a_task_queued_under_its_old_name_runs_under_its_new_one(tmp_path, settings):
    settings.TASK_PATH_ALIASES = {OLD_NAME: outage_tasks.touch.module_path}
    queued = outage_tasks.touch.enqueue(str(tmp_path), "renamed")
    DBTaskResult.objects.filter(pk=queued.id).update(task_path=OLD_NAME)

    assert _worker()._run_one() is True

    row = DBTaskResult.objects.get(pk=queued.id)
    assert (row.task_path, row.status) == (outage_tasks.touch.module_path, "SUCCESSFUL")
    assert (tmp_path / "renamed").read_text() == "done"


def test_a_task_whose_name_is_not_an_old_one_is_left_as_it_is(tmp_path, settings):
    settings.TASK_PATH_ALIASES = {OLD_NAME: "tests.common.outage_tasks.hang_the_first_time"}
    queued = outage_tasks.touch.enqueue(str(tmp_path), "plain")

    assert _worker()._run_one() is True

    row = DBTaskResult.objects.get(pk=queued.id)
    assert (row.task_path, row.status) == (outage_tasks.touch.module_path, "SUCCESSFUL")
