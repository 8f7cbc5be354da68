"""Keeping background work alive through outages: leases on running tasks, tasks that failed with no retry
left, and a worker that outlives its database.

- A claimed task holds a lease: its start plus its own timeout (common.tasks.lease_for). A task still
  marked running after its lease lost its worker (killed, machine gone, database gone mid-run): it is
  marked failed and enqueued again, by the next worker poll or by reconcile, whichever comes first. Every
  task is idempotent, so running it again is safe.
- A task that failed and left no successor (its retries ran out, or the retry could not be recorded
  while the database was down) is enqueued again by reconcile (`requeue_lost_tasks`).
- `ResilientWorker` (the `db_worker` command) never exits on a lost database connection: it drops the
  connection, waits with a capped backoff and carries on. The task it held when the database went away
  (its outcome could not be recorded) is put back to ready as soon as it reconnects (`release_claim`),
  only while that row is still running under this worker's claim; the lease is for workers that died.

Together: after any outage, once the workers and `reconcile_stripe` run again, no work is lost.
"""

import datetime as dt
import json
import logging
import random
import time
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import DatabaseError, OperationalError, close_old_connections, connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from common.tasks import LEASES, lease_for

logger = logging.getLogger("tasks")

# The django-tasks-db release whose worker loop (`Worker.run`, and its `db_worker` command's `handle`)
# `ResilientWorker.run`/`_run_one` and common's `db_worker` command were written from. After an upgrade,
# tests/common/test_worker_fork.py fails until the new loop has been compared with ours and this is updated.
FORKED_FROM = "0.13.0"

# How often an idle worker looks for expired leases, and the longest it waits while the database is down.
LEASE_CHECK_EVERY = dt.timedelta(seconds=10)
MAX_OUTAGE_WAIT_SECONDS = 30


def _again(result: DBTaskResult, now: dt.datetime) -> None:
    arguments = result.args_kwargs
    result.task.using(run_after=now).enqueue(*arguments["args"], **arguments["kwargs"])


def requeue_expired_leases(now: dt.datetime | None = None) -> Iterator[str]:
    """Mark every running task whose lease expired as failed (worker lost) and enqueue it again."""
    now = now or timezone.now()
    shortest = min([lease_for(path) for path in LEASES] or [lease_for("")])
    for result in DBTaskResult.objects.filter(status="RUNNING", started_at__lt=now - shortest):
        if result.started_at + lease_for(result.task_path) > now:
            continue
        lost = DBTaskResult.objects.filter(pk=result.pk, status="RUNNING", started_at=result.started_at)
        if lost.update(
            status="FAILED",
            finished_at=now,
            exception_class_path="common.worker.LeaseExpired",
            traceback="Worker lost: its lease expired while the task was running; enqueued again.",
        ):
            _again(result, now)
            yield f"task {result.task_path} {result.pk}: worker lost, enqueued again"


def release_claim(result: DBTaskResult, worker_id: str) -> bool:
    """Put `result` back to ready if it is still running under the claim `worker_id` made (same start, same
    workers, this one last): never a row that finished, was requeued by its lease, or another worker claimed
    since. True if it was put back."""
    if not result.worker_ids or result.worker_ids[-1] != worker_id:
        return False
    ours = DBTaskResult.objects.filter(
        pk=result.pk, status="RUNNING", started_at=result.started_at, worker_ids=result.worker_ids
    )
    return bool(ours.update(status="READY"))


def _key(result: DBTaskResult) -> tuple[str, str]:
    """A task and its arguments, whatever the attempt."""
    arguments = result.args_kwargs
    kwargs = {name: value for name, value in arguments.get("kwargs", {}).items() if name != "attempt"}
    return result.task_path, json.dumps([arguments.get("args", []), kwargs], sort_keys=True)


def requeue_lost_tasks(since: dt.datetime, task_paths: Iterable[str] | None = None) -> Iterator[str]:
    """Enqueue again every retrying task (of `task_paths`, default all) that failed since `since` and has
    no later run waiting, running or done: its retries ran out, or a retry was never recorded."""
    paths = set(task_paths) if task_paths is not None else set(LEASES)
    results = DBTaskResult.objects.filter(task_path__in=paths, enqueued_at__gte=since).only(
        "id", "task_path", "args_kwargs", "status", "enqueued_at", "backend_name", "queue_name"
    )
    latest: dict[tuple[str, str], DBTaskResult] = {}
    for result in results.order_by("enqueued_at"):
        latest[_key(result)] = result
    now = timezone.now()
    for (path, _), result in sorted(latest.items(), key=lambda item: item[1].enqueued_at):
        if result.status != "FAILED":
            continue
        arguments = result.args_kwargs
        kwargs = {name: value for name, value in arguments["kwargs"].items() if name != "attempt"}
        try:
            result.task.using(run_after=now).enqueue(*arguments["args"], **kwargs)
        except ImportError:
            logger.error("task %s %s failed and no longer exists; not enqueued again", path, result.pk)
            continue
        yield f"task {path}{tuple(arguments['args'])!r}: failed with no retry left, enqueued again"


def _follow_rename(result: DBTaskResult) -> None:
    """A task queued under a name it no longer has (settings.TASK_PATH_ALIASES, after a module moved) runs
    under its new name; the row is renamed too, so admin, leases and reconcile see the task as it is now."""
    renamed = settings.TASK_PATH_ALIASES.get(result.task_path)
    if renamed:
        DBTaskResult.objects.filter(pk=result.pk).update(task_path=renamed)
        result.task_path = renamed


class ResilientWorker(Worker):
    """django-tasks-db's worker, with leases checked while idle and database outages waited out."""

    # The task this worker claimed and has not recorded the outcome of; kept through an outage.
    held: DBTaskResult | None = None

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311  (spreads workers started together)
        outage_wait = 0.0
        next_lease_check = timezone.now()
        while self.running:
            try:
                self._release_held()
                if timezone.now() >= next_lease_check:
                    for line in requeue_expired_leases():
                        logger.warning(line)
                    next_lease_check = timezone.now() + LEASE_CHECK_EVERY
                ran = self._run_one()
                outage_wait = 0.0
            except DatabaseError as exc:
                outage_wait = min(max(outage_wait * 2, 1.0), MAX_OUTAGE_WAIT_SECONDS)
                logger.warning(
                    "worker %s: database unavailable (%s); waiting %.0fs, then carrying on",
                    self.worker_id,
                    type(exc).__name__,
                    outage_wait,
                )
                connections.close_all()
                time.sleep(outage_wait)
                continue
            if ran is None:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("Ran %d tasks on worker %s; exiting.", self._run_tasks, self.worker_id)
                return
            if self.running and not ran:
                time.sleep(self.interval)

    def _release_held(self) -> None:
        """After an outage: the task whose outcome could not be recorded runs again now, not after its lease.
        Raises DatabaseError while the database is still away (run() waits and calls again)."""
        if self.held is None:
            return
        if release_claim(self.held, self.worker_id):
            logger.warning(
                "worker %s: task %s %s was running when the database went away; ready again",
                self.worker_id,
                self.held.task_path,
                self.held.pk,
            )
        self.held = None

    def _run_one(self) -> bool | None:
        """Claim and run one ready task: True if one ran, False if none was ready, None to stop (batch)."""
        close_old_connections()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        try:
            with exclusive_transaction(tasks.db):
                result = tasks.get_locked()
                if result is not None:
                    result.claim(self.worker_id)
                    # Before the commit: if the commit's answer is lost, the row may be running all the same.
                    self.held = result
                    _follow_rename(result)
        except DatabaseError as exc:
            if isinstance(exc, OperationalError) and is_locked_database_exception(exc):
                return False  # SQLite busy: try again on the next poll
            raise
        if result is None:
            return None if self.batch else False
        # If recording the outcome fails (the database went away mid-run), the row stays running; the error
        # reaches run(), which waits the outage out and then puts the held task back (or, if this worker
        # dies, the lease brings it back).
        self.run_task(result)
        self.held = None
        return True
