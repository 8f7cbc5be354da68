"""What each webhook event type means to the shop: the handler that fetches the current state from Stripe
and converges on it. The webhook (payments.webhooks) records only events named here as work to do."""

import logging

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from checkout import payers, stripe_gateway
from payments import payouts, sync
from payments.models import StripeEvent

logger = logging.getLogger("checkout")


HANDLERS = {
    "invoice.finalized": sync.handle_invoice_event,
    "invoice.paid": sync.handle_invoice_event,
    "invoice.voided": sync.handle_invoice_event,
    "invoice.marked_uncollectible": sync.handle_invoice_event,
    "customer_cash_balance_transaction.created": payers.handle_cash_balance_event,
    "payout.paid": payouts.handle_payout_event,
    "payout.updated": payouts.handle_payout_event,
    "payout.failed": payouts.handle_payout_event,
    "checkout.session.completed": sync.handle_session_event,
    "checkout.session.async_payment_succeeded": sync.handle_session_event,
    "checkout.session.async_payment_failed": sync.handle_session_event,
    "checkout.session.expired": sync.handle_session_event,
    "charge.refunded": sync.handle_money_event,
    "charge.refund.updated": sync.handle_money_event,
    "refund.created": sync.handle_money_event,
    "refund.updated": sync.handle_money_event,
    "refund.failed": sync.handle_money_event,
    "charge.dispute.created": sync.handle_money_event,
    "charge.dispute.updated": sync.handle_money_event,
    "charge.dispute.closed": sync.handle_money_event,
    "charge.dispute.funds_withdrawn": sync.handle_money_event,
    "charge.dispute.funds_reinstated": sync.handle_money_event,
}


def handler_for(event_type: str):
    """The handler of an event type: payments' own, or one another app names (settings.STRIPE_EVENT_EXTRAS,
    such as credit notes' `credit_note.created`); None for a type nobody handles."""
    if event_type in HANDLERS:
        return HANDLERS[event_type]
    path = settings.STRIPE_EVENT_EXTRAS.get(event_type)
    return import_string(path) if path else None


def handle_event(event_pk: int) -> str:
    """Act on a recorded webhook event once (the background task's body)."""
    record = StripeEvent.objects.filter(pk=event_pk).first()
    if record is None or record.handled_at is not None:
        return "done"
    handler = handler_for(record.type)
    order = None
    if handler is not None:
        data = (record.payload.get("data") or {}).get("object") or {}
        try:
            order = handler(data, source=record.event_id)
        except stripe_gateway.InvalidRequest as exc:
            # Stripe says the object does not exist (another account's id, a deleted test object):
            # retrying cannot help. Other Stripe errors (outage, timeout) raise and the task retries.
            logger.warning(
                "event %s: Stripe refused the lookup: %s", record.event_id, exc.user_message or exc
            )
    StripeEvent.objects.filter(pk=event_pk).update(handled_at=timezone.now(), order=order)
    return "handled"
