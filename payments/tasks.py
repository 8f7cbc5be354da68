"""The background tasks started from the top: the webhook enqueues `handle_stripe_event` with the event
record; staff enqueue `sync_order` from the order admin (reconcile syncs directly). Each takes ids, is idempotent and retries with backoff
(common.tasks). The follow-up tasks live beside what they do: payments.confirmation, payments.fees,
payments.alerts, payments.refund_receipts.
"""

from common.tasks import PAYMENTS_QUEUE, retrying_task
from payments import events, sync


@retrying_task(queue=PAYMENTS_QUEUE)
def handle_stripe_event(event_pk: int) -> str:
    """Fetch the current state from Stripe for a received webhook event and converge the order."""
    return events.handle_event(event_pk)


@retrying_task(queue=PAYMENTS_QUEUE)
def sync_order(order_id: int, source: str) -> str:
    """Bring one order in line with Stripe (the order admin's "Bring in line with Stripe")."""
    sync.sync_order(order_id, source=source)
    return "synced"
