"""Background tasks that retry: Django's tasks API (django-tasks on 5.2) on its database backend.

The database backend runs a task once and records a failure; it never tries again. `retrying_task` adds
that: when the function raises, the same task is enqueued again with `run_after` set by a capped
exponential backoff, until `TASK_MAX_ATTEMPTS`; the failed attempt stays visible in admin with its
traceback. A retry that cannot be recorded because the database went away is not lost: the run's lease
expires (common.worker) or reconcile finds the failed task without a successor and enqueues it again.
Task functions must be idempotent (they check what is already done), take ids and plain values,
and are enqueued inside the transaction of the change that causes them, so a task row exists exactly when
that change commits.
"""

import datetime as dt
import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

logger = logging.getLogger("tasks")

# The queues (settings.TASKS' QUEUES): work that talks to Stripe, work that sends email, and the rest, so a
# slow mail server never holds up payments. Each has its own workers in production (deploy/); `make run`'s
# one worker takes them all.
DEFAULT_QUEUE = "default"
PAYMENTS_QUEUE = "payments"
MAIL_QUEUE = "mail"
QUEUES = (DEFAULT_QUEUE, PAYMENTS_QUEUE, MAIL_QUEUE)

BASE_DELAY_SECONDS = 10
# Seconds to wait before each try at recording a retry (a locked or restarting database may need a moment).
RETRY_ENQUEUE_PAUSES = (0, 0.5, 2)


def retry_delay(attempt: int) -> dt.timedelta:
    """10 s, 20 s, 40 s… after the first, second, third failure, never more than the configured cap."""
    seconds = BASE_DELAY_SECONDS * 2 ** min(attempt - 1, 20)
    return dt.timedelta(seconds=min(seconds, settings.TASK_RETRY_MAX_DELAY_SECONDS))


# Every retrying task by its module path, with its lease: how long a claimed run may take before the
# worker that claimed it counts as gone (started_at + lease in the past: run it again).
LEASES: dict[str, dt.timedelta | None] = {}


def lease_for(task_path: str) -> dt.timedelta:
    return LEASES.get(task_path) or dt.timedelta(seconds=settings.TASK_LEASE_SECONDS)


def _usable_connection_after(exc: BaseException) -> None:
    """After a database error the connection may be dead: drop it if so, and the next query reconnects."""
    if isinstance(exc, DatabaseError) and not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()


def _enqueue_retry(this_task: Task, delay: dt.timedelta, args: tuple, kwargs: dict) -> bool:
    """Enqueue the next attempt, reconnecting if the connection died and waiting out a brief lock; False
    when the database stays unreachable (the run's lease, or reconcile's pass over lost tasks, brings the
    task back)."""
    for pause in RETRY_ENQUEUE_PAUSES:
        time.sleep(pause)
        try:
            this_task.using(run_after=timezone.now() + delay).enqueue(*args, **kwargs)
            return True
        except DatabaseError:
            if connection.in_atomic_block:
                raise
            connection.close_if_unusable_or_obsolete()
    return False


def retrying_task(
    function: Callable[..., Any] | None = None,
    *,
    lease: dt.timedelta | None = None,
    queue: str = DEFAULT_QUEUE,
) -> Any:
    """`@task()` for `function`, retried with backoff when it raises; the attempt number travels as a
    keyword argument (`attempt`, starting at 1) the function never sees. `lease` is how long one run may
    take (default TASK_LEASE_SECONDS); a run still marked running after it is run again. `queue` is one of
    QUEUES; its retries stay on it."""
    if function is None:
        return functools.partial(retrying_task, lease=lease, queue=queue)

    @functools.wraps(function)
    def run(*args: Any, attempt: int = 1, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except Exception as exc:
            _usable_connection_after(exc)
            if attempt < settings.TASK_MAX_ATTEMPTS:
                delay = retry_delay(attempt)
                queued = _enqueue_retry(this_task, delay, args, {**kwargs, "attempt": attempt + 1})
                logger.warning(
                    "task %s%r failed (attempt %d); %s",
                    function.__name__,
                    args,
                    attempt,
                    f"retrying in {delay.total_seconds():.0f}s"
                    if queued
                    else "the retry could not be recorded (database unreachable); reconcile runs it again",
                )
            else:
                logger.error(
                    "task %s%r failed %d times; giving up (reconcile_stripe re-enqueues what is still due)",
                    function.__name__,
                    args,
                    attempt,
                )
            raise

    this_task = task(queue_name=queue)(run)
    if lease is not None:
        LEASES[this_task.module_path] = lease
    else:
        LEASES.setdefault(this_task.module_path, None)
    return this_task
