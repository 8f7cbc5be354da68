"""What payments asks of "My company pays" (settings.PAYMENT_REQUEST_HOOKS names this module; the functions
are those checkout.payers calls)."""

from collections.abc import Iterator

from invoicing import converge, reminders
from invoicing.cash import handle_cash_balance_event
from invoicing.closing import close_for_paid_order
from invoicing.converge import converge_request_invoice
from invoicing.selectors import has_open_payment_request, has_payment_request

__all__ = [
    "converge_request_invoice",
    "handle_cash_balance_event",
    "has_open_payment_request",
    "has_payment_request",
    "money_received",
    "reconcile",
]


def money_received(order, *, source: str) -> None:
    close_for_paid_order(order, source=source)


def reconcile() -> Iterator[str]:
    """Open invoices converge on Stripe's (a missed invoice.paid), then their reminders are enqueued."""
    yield from converge.sync_open_requests()
    yield from reminders.enqueue_due_reminders()
