"""Background tasks for payments. Each takes ids, is idempotent and retries with backoff (common.tasks).

Enqueue them inside the transaction of the change that causes them: the webhook enqueues
`handle_stripe_event` with the event record; fulfilment enqueues the confirmation and the fee lookup with the
state change.
"""

from django.urls import reverse

from checkout import emails, invoice_issuing, refund_receipts, request_emails, request_invoices, stripe_sync
from checkout.models import PaymentRequest
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


# Payment requests ("My company pays": checkout.payment_requests, checkout.invoice_issuing, checkout.request_invoices).


@retrying_task
def send_payment_request(request_id: int, link_token: str, sends: int) -> str:
    """The request email to the payer with their link (a re-send carries a new link and number)."""
    request = PaymentRequest.objects.get(pk=request_id)
    if request.sends != sends or not request.can_choose:
        return "skipped"  # re-sent since (a newer link), or no longer waiting for the payer's choice
    link = reverse("checkout:payment_request", args=[link_token])
    return emails.send_once(
        request.order_id,
        request_emails.request_purpose(request),
        lambda order: request_emails.request_message(order, request, link),
        recipient=request.payer_email,
        label="Payment request",
    )


@retrying_task
def issue_request_invoice(request_id: int) -> str:
    """Make the request's invoice at Stripe and record it (the payer's page shows it on reload)."""
    return invoice_issuing.issue_invoice(request_id)


@retrying_task
def send_request_invoice(request_id: int) -> str:
    request = PaymentRequest.objects.get(pk=request_id)
    if request.state != PaymentRequest.State.ISSUED:
        return "skipped"
    return emails.send_once(
        request.order_id,
        request_emails.invoice_purpose(request),
        lambda order: request_emails.invoice_message(order, request),
        recipient=request.payer_email,
        label="Invoice",
    )


@retrying_task
def send_request_reminder(request_id: int, name: str) -> str:
    request = PaymentRequest.objects.get(pk=request_id)
    if request.state != PaymentRequest.State.ISSUED:
        return "skipped"  # paid, voided or closed since it was enqueued
    return emails.send_once(
        request.order_id,
        request_emails.reminder_purpose(request, name),
        lambda order: request_emails.reminder_message(order, request, name),
        recipient=request.payer_email,
        label=f"Invoice reminder ({name})",
    )


@retrying_task
def void_request_invoice(request_id: int) -> str:
    """Withdraw the invoice of a request that closed (the order was paid another way)."""
    return invoice_issuing.void_closed_request_invoice(request_id)


@retrying_task
def refresh_request_cash_balance(request_id: int) -> str:
    """What the payer's bank transfers left on the Stripe customer's cash balance (part or overpayment)."""
    return request_invoices.refresh_cash_balance(request_id)
