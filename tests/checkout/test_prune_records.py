"""`manage.py prune_records` deletes what only grows: succeeded task rows and handled Stripe events older
than PRUNE_RECORDS_AFTER_DAYS, in batches; failed, waiting and running tasks, events not handled yet and
anything recent stay."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from payments.models import StripeEvent
from tests.common import queue_tasks

pytestmark = pytest.mark.django_db

NOW = timezone.now()
OLD = NOW - dt.timedelta(days=91)
RECENT = NOW - dt.timedelta(days=89)


def task_row(name: str, status: str, finished_at: dt.datetime | None) -> str:
    result = queue_tasks.touch_on_default.enqueue("/nowhere", name)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=status, finished_at=finished_at, enqueued_at=(finished_at or NOW) - dt.timedelta(seconds=5)
    )
    return name


def event(event_id: str, received_at: dt.datetime, handled: bool) -> str:
    record = StripeEvent.objects.create(
        event_id=event_id, type="checkout.session.completed", handled_at=received_at if handled else None
    )
    StripeEvent.objects.filter(pk=record.pk).update(received_at=received_at)
    return event_id


def prune(*args: str) -> str:
    out = StringIO()
    call_command("prune_records", *args, stdout=out)
    return out.getvalue()


def names_left() -> set[str]:
    return {row.args_kwargs["args"][1] for row in DBTaskResult.objects.all()}


def test_old_succeeded_tasks_go_and_recent_failed_waiting_and_running_ones_stay(settings):
    settings.PRUNE_RECORDS_AFTER_DAYS = 90
    task_row("old-success", "SUCCESSFUL", OLD)
    kept = {
        task_row("recent-success", "SUCCESSFUL", RECENT),
        task_row("old-failure", "FAILED", OLD),
        task_row("recent-failure", "FAILED", RECENT),
        task_row("waiting", "READY", None),
        task_row("running", "RUNNING", None),
    }

    output = prune()

    assert names_left() == kept
    assert "Deleted 1 succeeded task row(s)" in output


def test_old_handled_events_go_and_recent_or_unhandled_ones_stay(settings):
    settings.PRUNE_RECORDS_AFTER_DAYS = 90
    event("evt_old_handled", OLD, handled=True)
    kept = {
        event("evt_recent_handled", RECENT, handled=True),
        event("evt_old_unhandled", OLD, handled=False),
        event("evt_recent_unhandled", RECENT, handled=False),
    }

    output = prune()

    assert set(StripeEvent.objects.values_list("event_id", flat=True)) == kept
    assert "and 1 handled Stripe event(s) older than 90 days" in output


def test_it_deletes_in_batches_until_none_is_left():
    old_ones = [task_row(f"old-{n}", "SUCCESSFUL", OLD) for n in range(7)]
    for n in range(5):
        event(f"evt_{n}", OLD, handled=True)

    output = prune("--batch-size", "2")

    assert old_ones and names_left() == set()
    assert StripeEvent.objects.count() == 0
    assert "Deleted 7 succeeded task row(s) and 5 handled Stripe event(s)" in output


def test_days_on_the_command_line_override_the_setting(settings):
    settings.PRUNE_RECORDS_AFTER_DAYS = 90
    task_row("ten-days-old", "SUCCESSFUL", NOW - dt.timedelta(days=10))

    prune("--days", "30")
    assert names_left() == {"ten-days-old"}
    prune("--days", "7")
    assert names_left() == set()


def test_a_window_under_a_week_is_refused():
    task_row("two-days-old", "SUCCESSFUL", NOW - dt.timedelta(days=2))

    with pytest.raises(CommandError, match="at least 7"):
        prune("--days", "2")
    assert names_left() == {"two-days-old"}
