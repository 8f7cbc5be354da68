"""The worker we forked from django-tasks-db (common/worker.py, common's `db_worker` command) against the
library as installed: every name, signature, option, model field and status the fork relies on is still
there, a task runs through the library's own worker and through ours to the same recorded outcome, and the
library's loop is still the one the fork was written from (`common.worker.FORKED_FROM`). Upgrading
django-tasks or django-tasks-db to a release that breaks any of it fails here, before a worker does."""

import hashlib
import inspect
import textwrap
from importlib.metadata import version

import pytest
from django.db import models
from django_tasks import TaskResultStatus, task
from django_tasks.base import Task
from django_tasks_db import utils
from django_tasks_db.management.commands.db_worker import Command as LibraryCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from common.management.commands.db_worker import Command
from common.worker import FORKED_FROM, ResilientWorker, release_claim
from tests.common import outage_tasks, queue_tasks

WORKER_ARGUMENTS = {
    "queue_names",
    "interval",
    "batch",
    "backend_name",
    "startup_delay",
    "max_tasks",
    "worker_id",
    "excluded_queue_names",
}
# The library's loop and command as they were in FORKED_FROM (sha256 of their dedented source, first 16).
REVIEWED_SOURCE = {"Worker.run": "4c79ec81d38bb9eb", "Command.handle": "f5120f2c1d7b6ee0"}


def worker_arguments(worker_id: str) -> dict:
    return {
        "queue_names": ["*"],
        "interval": 0,
        "batch": True,
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": None,
        "worker_id": worker_id,
        "excluded_queue_names": [],
    }


# --- what the fork imports and calls ---------------------------------------------------------------------


def test_the_fork_subclasses_the_librarys_worker_and_command():
    assert issubclass(ResilientWorker, Worker)
    assert issubclass(Command, LibraryCommand)


def test_the_worker_takes_the_keyword_arguments_the_fork_passes():
    parameters = inspect.signature(Worker.__init__).parameters

    assert set(parameters) >= WORKER_ARGUMENTS
    assert {parameters[name].kind for name in WORKER_ARGUMENTS} == {inspect.Parameter.KEYWORD_ONLY}


def test_the_worker_has_the_attributes_and_methods_the_fork_uses():
    worker = Worker(**worker_arguments("contract"))

    for name in ("running", "running_task", "worker_id", "queue_names", "process_all_queues"):
        assert hasattr(worker, name), name
    for name in ("excluded_queue_names", "interval", "batch", "backend_name", "startup_delay", "max_tasks"):
        assert hasattr(worker, name), name
    assert worker.process_all_queues is True and worker._run_tasks == 0
    assert list(inspect.signature(Worker.run_task).parameters) == ["self", "db_task_result"]
    assert callable(worker.configure_signals) and callable(worker.run)


def test_the_command_still_has_the_options_the_fork_reads():
    options = vars(LibraryCommand().create_parser("manage.py", "db_worker").parse_args([]))

    expected = {"queue_name", "exclude_queues", "interval", "batch", "backend_name", "startup_delay"}
    assert expected | {"max_tasks", "worker_id", "reload", "verbosity"} <= set(options)
    assert callable(LibraryCommand.configure_logging)


def test_the_result_model_has_the_fields_the_fork_reads_and_writes():
    fields = {field.name: type(field) for field in DBTaskResult._meta.get_fields()}

    assert (
        fields
        | {
            "status": models.CharField,
            "queue_name": models.CharField,
            "backend_name": models.CharField,
            "task_path": models.TextField,
            "exception_class_path": models.TextField,
            "traceback": models.TextField,
            "args_kwargs": models.JSONField,
            "worker_ids": models.JSONField,
            "enqueued_at": models.DateTimeField,
            "started_at": models.DateTimeField,
            "finished_at": models.DateTimeField,
            "run_after": models.DateTimeField,
        }
        == fields
    )
    for name in ("ready", "successful", "failed", "get_locked"):
        assert callable(getattr(DBTaskResult.objects, name)), name
    assert list(inspect.signature(DBTaskResult.claim).parameters) == ["self", "worker_id"]
    assert isinstance(DBTaskResult.task, property)


def test_the_statuses_the_fork_writes_as_strings_are_the_librarys():
    assert {status.name for status in TaskResultStatus} >= {"READY", "RUNNING", "FAILED", "SUCCESSFUL"}
    assert {status.value for status in TaskResultStatus} >= {"READY", "RUNNING", "FAILED", "SUCCESSFUL"}


def test_the_helpers_the_fork_imports_are_there():
    assert callable(utils.exclusive_transaction) and callable(utils.is_locked_database_exception)
    assert "queue_name" in inspect.signature(task).parameters
    assert {"run_after", "queue_name"} <= set(inspect.signature(Task.using).parameters)
    assert isinstance(outage_tasks.touch, Task) and outage_tasks.touch.module_path.endswith(".touch")


def test_the_librarys_loop_is_the_one_the_fork_was_written_from():
    """A new release of the loop may claim, lock or record differently: compare it with ResilientWorker.run
    and _run_one (and Command.handle with ours), carry over what changed, then update FORKED_FROM and
    REVIEWED_SOURCE."""
    installed = version("django-tasks-db")
    source = {
        name: hashlib.sha256(textwrap.dedent(inspect.getsource(function)).encode()).hexdigest()[:16]
        for name, function in (("Worker.run", Worker.run), ("Command.handle", LibraryCommand.handle))
    }

    assert installed == FORKED_FROM, (
        f"django-tasks-db {installed}: review the fork (see this test's docstring)"
    )
    assert source == REVIEWED_SOURCE


# --- one task through both workers -------------------------------------------------------------------------


def run_through(worker_class, worker_id: str) -> None:
    worker_class(**worker_arguments(worker_id)).run()


def outcome(row: DBTaskResult) -> tuple:
    return (
        row.status,
        row.return_value,
        row.exception_class_path,
        bool(row.traceback),
        row.started_at <= row.finished_at,
    )


@pytest.mark.django_db(transaction=True)
def test_a_task_runs_to_the_same_success_through_the_library_worker_and_ours(tmp_path):
    theirs = outage_tasks.touch.enqueue(str(tmp_path), "theirs")
    run_through(Worker, "library")
    ours = outage_tasks.touch.enqueue(str(tmp_path), "ours")
    run_through(ResilientWorker, "fork")

    rows = {row.worker_ids[-1]: row for row in DBTaskResult.objects.filter(pk__in=[theirs.id, ours.id])}
    assert {path.name for path in tmp_path.iterdir()} == {"theirs", "ours"}
    assert outcome(rows["library"]) == outcome(rows["fork"]) == ("SUCCESSFUL", "done", "", False, True)
    assert rows["library"].worker_ids == ["library"] and rows["fork"].worker_ids == ["fork"]


@pytest.mark.django_db(transaction=True)
def test_a_failing_task_is_recorded_the_same_way_by_both(settings):
    settings.TASK_MAX_ATTEMPTS = 1  # no retry row: one failure each
    theirs = queue_tasks.always_fails_on_payments.enqueue()
    run_through(Worker, "library")
    ours = queue_tasks.always_fails_on_payments.enqueue()
    run_through(ResilientWorker, "fork")

    library, fork = (DBTaskResult.objects.get(pk=result.id) for result in (theirs, ours))
    assert outcome(library) == outcome(fork) == ("FAILED", None, "builtins.RuntimeError", True, True)
    assert DBTaskResult.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_claim_made_by_the_library_is_one_the_fork_can_release():
    row = DBTaskResult.objects.get(pk=outage_tasks.touch.enqueue("/nowhere", "x").id)

    row.claim("library")

    assert (row.status, row.worker_ids) == ("RUNNING", ["library"]) and row.started_at is not None
    assert release_claim(row, "library") is True
    assert DBTaskResult.objects.get(pk=row.pk).status == "READY"
