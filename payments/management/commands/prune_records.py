"""`python manage.py prune_records [--days 90] [--batch-size 1000]`: delete the records that only grow.

Task rows that succeeded, and Stripe webhook events that were handled, older than `PRUNE_RECORDS_AFTER_DAYS`
(default 90), a batch at a time. Kept whatever their age: failed tasks (admin shows them; reconcile and staff
run them again), tasks waiting or running, and events not handled yet (reconcile enqueues them again). Money
records and order history are never pruned. Run daily by cpma-prune-records.timer; safe to run at any time,
from several machines.
"""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from common.pruning import DEFAULT_BATCH_SIZE, delete_in_batches, finished_tasks_before
from payments.models import StripeEvent

# Stripe redelivers an event for up to three days, and reconcile looks three days back: a record younger than
# a week may still be needed to recognise a redelivery or a task already done.
MIN_DAYS = 7


def handled_events_before(before: dt.datetime):
    return StripeEvent.objects.filter(handled_at__isnull=False, received_at__lt=before)


class Command(BaseCommand):
    help = "Delete succeeded task rows and handled Stripe events older than PRUNE_RECORDS_AFTER_DAYS."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, help="Age in days (default: PRUNE_RECORDS_AFTER_DAYS)")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="Rows per delete")

    def handle(self, *args, days: int | None, batch_size: int, **options) -> None:
        days = settings.PRUNE_RECORDS_AFTER_DAYS if days is None else days
        if days < MIN_DAYS:
            raise CommandError(f"--days must be at least {MIN_DAYS}: younger records may still be needed.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        before = timezone.now() - dt.timedelta(days=days)
        tasks = delete_in_batches(finished_tasks_before(before), batch_size=batch_size)
        events = delete_in_batches(handled_events_before(before), batch_size=batch_size)
        self.stdout.write(
            f"Deleted {tasks} succeeded task row(s) and {events} handled Stripe event(s) older than {days} days."
        )
