import datetime as dt
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from access import selectors, tasks
from common.tasks import LEASES
from common.worker import requeue_expired_leases, requeue_lost_tasks


class Command(BaseCommand):
    help = (
        "Enqueue converge_access for paid orders missing grants, refunded or lost-dispute orders that still "
        "give access, and orders whose full refund failed but whose grants it revoked; then enqueue again "
        "every access task (access and ended emails, enrolments, sign-in links) that failed with no retry "
        "left or lost its worker (a safety net for outages longer than the retries)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=3, help="How far back to look for failed tasks.")

    def handle(self, *args, days: int, **options) -> None:
        repair = selectors.orders_needing_access_repair()
        orders = {*repair.to_grant, *(order_id for order_id, _ in repair.to_revoke), *repair.to_restore}
        with transaction.atomic():
            for order_id in sorted(orders):
                tasks.converge_access.enqueue(order_id)
        self.stdout.write(
            f"{len(repair.to_grant)} order(s) to grant, {len(repair.to_revoke)} to revoke, "
            f"{len(repair.to_restore)} to restore: enqueued."
        )
        # The modules named in settings define the tasks to look at: importing one registers its tasks.
        modules = {import_module(name).__name__ for name in settings.RECONCILE_ACCESS_TASK_MODULES}
        access_tasks = [path for path in LEASES if path.rpartition(".")[0] in modules]
        since = timezone.now() - dt.timedelta(days=max(days, 0))
        for line in [*requeue_expired_leases(), *requeue_lost_tasks(since, access_tasks)]:
            self.stdout.write(line)
