"""Our own reminders for invoices on terms (Stripe's `invoice.overdue` fires only from Billing automations):
7 days before the due date, on it, 7 and 14 days after, to the payer with the hosted link and the buyer
copied. Computed from the stored due date by `reconcile_stripe` (or `manage.py send_invoice_reminders`,
daily); each is sent once (checkout.emails.send_once), none once the invoice is paid, voided or closed.

A run that comes late sends only the latest reminder due, never a backlog of stale ones.
"""

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

from checkout.models import EmailDelivery
from invoicing.emails import REMINDERS, reminder_purpose, send_request_reminder
from invoicing.models import PaymentRequest


def reminder_due(request: PaymentRequest, now: dt.datetime) -> str | None:
    """The name of the latest reminder whose day has come (UTC dates), or None."""
    if request.state != PaymentRequest.State.ISSUED or request.due_at is None:
        return None
    today = now.astimezone(dt.UTC).date()
    due_day = request.due_at.astimezone(dt.UTC).date()
    latest = None
    for name, days, _ in REMINDERS:
        if today >= due_day + dt.timedelta(days=days):
            latest = name
    return latest


def enqueue_due_reminders(now: dt.datetime | None = None) -> Iterator[str]:
    """Enqueue the reminder each open invoice is due for and has not had; one line per reminder."""
    now = now or timezone.now()
    issued = PaymentRequest.objects.filter(state=PaymentRequest.State.ISSUED, due_at__isnull=False)
    for request in issued.select_related("order"):
        name = reminder_due(request, now)
        if name is None:
            continue
        purpose = reminder_purpose(request, name)
        if EmailDelivery.objects.filter(
            order_id=request.order_id, purpose=purpose, sent_at__isnull=False
        ).exists():
            continue
        send_request_reminder.enqueue(request.pk, name)
        yield f"{request.order.reference}: invoice {request.invoice_number} reminder {name} enqueued"
