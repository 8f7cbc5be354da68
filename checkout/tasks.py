"""Background tasks for payments. Each takes ids, is idempotent and retries with backoff (common.tasks).

Enqueue them inside the transaction of the change that causes them: the webhook enqueues
`handle_stripe_event` with the event record; fulfilment enqueues the confirmation and the fee lookup with the
state change.
"""

from checkout import emails, refund_receipts, stripe_sync
from common.tasks import retrying_task


@retrying_task
def handle_stripe_event(event_pk: int) -> str:
    """Fetch the current state from Stripe for a received webhook event and converge the order."""
    return stripe_sync.handle_event(event_pk)


@retrying_task
def send_order_confirmation(order_id: int) -> str:
    """The buyer's confirmation, with the invoice link when Stripe has made the invoice by now."""
    stripe_sync.refresh_invoice(order_id)
    return emails.send_order_confirmation(order_id)


@retrying_task
def record_payment_fees(payment_id: int) -> str:
    """Stripe's fee and net for a payment, from its charge's balance transaction."""
    return stripe_sync.record_payment_fees(payment_id)


@retrying_task
def sync_order(order_id: int, source: str) -> str:
    """Bring one order in line with Stripe (used by reconcile_stripe and staff)."""
    stripe_sync.sync_order(order_id, source=source)
    return "synced"


@retrying_task
def alert_finance(order_id: int, reason: str) -> str:
    """Tell FINANCE_ALERT_EMAIL that an order was flagged for review (once per order and reason)."""
    return emails.send_review_alert(order_id, reason)


@retrying_task
def send_refund_receipt(refund_id: int) -> str:
    """The buyer's receipt for one succeeded refund (once per refund)."""
    return refund_receipts.send_refund_receipt(refund_id)
