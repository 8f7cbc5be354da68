from django.core.management.base import BaseCommand
from django.db import transaction

from access import services, tasks


class Command(BaseCommand):
    help = (
        "Enqueue the grant task for paid orders missing grants, the revoke task for refunded or lost-dispute "
        "orders that still give access, and the restore task for orders whose full refund failed but whose "
        "grants it revoked (a safety net for tasks that gave up)."
    )

    def handle(self, *args, **options) -> None:
        repair = services.orders_needing_access_repair()
        with transaction.atomic():
            for order_id in repair.to_grant:
                tasks.grant_access_for_order.enqueue(order_id)
            for order_id, reason in repair.to_revoke:
                tasks.revoke_access_for_order.enqueue(order_id, reason)
            for order_id in repair.to_restore:
                tasks.restore_access_for_order.enqueue(order_id)
        self.stdout.write(
            f"{len(repair.to_grant)} order(s) to grant, {len(repair.to_revoke)} to revoke, "
            f"{len(repair.to_restore)} to restore: enqueued."
        )
