from django.core.management.base import BaseCommand
from django.db import transaction

from access import selectors, tasks


class Command(BaseCommand):
    help = (
        "Enqueue converge_access for paid orders missing grants, refunded or lost-dispute orders that still "
        "give access, and orders whose full refund failed but whose grants it revoked (a safety net for "
        "tasks that gave up)."
    )

    def handle(self, *args, **options) -> None:
        repair = selectors.orders_needing_access_repair()
        orders = {*repair.to_grant, *(order_id for order_id, _ in repair.to_revoke), *repair.to_restore}
        with transaction.atomic():
            for order_id in sorted(orders):
                tasks.converge_access.enqueue(order_id)
        self.stdout.write(
            f"{len(repair.to_grant)} order(s) to grant, {len(repair.to_revoke)} to revoke, "
            f"{len(repair.to_restore)} to restore: enqueued."
        )
