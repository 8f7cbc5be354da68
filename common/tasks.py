"""Background tasks that retry: Django's tasks API (django-tasks on 5.2) on its database backend.

The database backend runs a task once and records a failure; it never tries again. `retrying_task` adds
that: when the function raises, the same task is enqueued again with `run_after` set by a capped
exponential backoff, until `TASK_MAX_ATTEMPTS`; the failed attempt stays visible in admin with its
traceback. Task functions must be idempotent (they check what is already done), take ids and plain values,
and are enqueued inside the transaction of the change that causes them, so a task row exists exactly when
that change commits.
"""

import datetime as dt
import functools
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

logger = logging.getLogger("tasks")

BASE_DELAY_SECONDS = 10


def retry_delay(attempt: int) -> dt.timedelta:
    """10 s, 20 s, 40 s… after the first, second, third failure, never more than the configured cap."""
    seconds = BASE_DELAY_SECONDS * 2 ** min(attempt - 1, 20)
    return dt.timedelta(seconds=min(seconds, settings.TASK_RETRY_MAX_DELAY_SECONDS))


def retrying_task(function: Callable[..., Any]) -> Task:
    """`@task()` for `function`, retried with backoff when it raises; the attempt number travels as a
    keyword argument (`attempt`, starting at 1) the function never sees."""

    @functools.wraps(function)
    def run(*args: Any, attempt: int = 1, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except Exception:
            if attempt < settings.TASK_MAX_ATTEMPTS:
                delay = retry_delay(attempt)
                this_task.using(run_after=timezone.now() + delay).enqueue(
                    *args, attempt=attempt + 1, **kwargs
                )
                logger.warning(
                    "task %s%r failed (attempt %d); retrying in %ds",
                    function.__name__,
                    args,
                    attempt,
                    delay.total_seconds(),
                )
            else:
                logger.error(
                    "task %s%r failed %d times; giving up (reconcile_stripe re-enqueues what is still due)",
                    function.__name__,
                    args,
                    attempt,
                )
            raise

    this_task = task()(run)
    return this_task
