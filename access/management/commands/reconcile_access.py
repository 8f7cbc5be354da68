from django.core.management.base import BaseCommand
from django.db import transaction

from access import services, tasks


class Command(BaseCommand):
    help = (
        "Enqueue the grant task for paid orders missing grants, and the revoke task for refunded or lost-"
        "dispute orders that still give access (a safety net for tasks that gave up)."
    )

    def handle(self, *args, **options) -> None:
        to_grant, to_revoke = services.orders_needing_access_repair()
        with transaction.atomic():
            for order_id in to_grant:
                tasks.grant_access_for_order.enqueue(order_id)
            for order_id in to_revoke:
                tasks.revoke_access_for_order.enqueue(order_id, "refunded in full or dispute lost")
        self.stdout.write(f"{len(to_grant)} order(s) to grant, {len(to_revoke)} to revoke: enqueued.")
