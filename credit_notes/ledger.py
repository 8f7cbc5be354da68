"""The ledger check: for every invoiced order, per currency, what its invoices say less its credit notes
must equal the money it kept (received less refunded, less what the bank took back in a lost dispute).
A difference flags the order for review with both figures (payments.review). Run nightly by
`manage.py check_invoices` and by `reconcile_stripe` (settings.RECONCILE_EXTRAS)."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from catalog.money import format_money
from checkout.models import Order
from common import hooks
from credit_notes.models import CreditNote
from invoicing.models import PaymentRequest
from payments.models import Payment
from payments.review import flag


@dataclass(frozen=True)
class Difference:
    currency: str
    invoiced_cents: int  # invoices less credit notes
    kept_cents: int  # received less refunded and lost disputes

    def reason(self) -> str:
        return (
            f"Ledger: invoices less credit notes come to {format_money(self.invoiced_cents, self.currency)}, "
            f"but the money kept is {format_money(self.kept_cents, self.currency)} ({self.currency})."
        )


def invoiced_orders() -> "Iterator[Order]":
    """Orders with money received and at least one invoice: the Checkout one, or a paid request's."""
    has_invoice = Q(invoice_id__startswith="in_") | Q(payments__stripe_invoice_id__isnull=False)
    ids = Order.objects.filter(has_invoice, status__in=Order.MONEY_RECEIVED).values_list("pk", flat=True)
    return Order.objects.filter(pk__in=ids.distinct()).order_by("pk").iterator()


def invoiced(order: Order) -> Counter:
    """Per currency: the order's invoices (the one Stripe made after Checkout, for the order's total; each
    paid request's invoice for what it asked) less its issued credit notes."""
    invoices: dict[str, tuple[str, int]] = {}  # by Stripe id: a request's invoice may be the order's too
    if extra := hooks.one("LEDGER_INVOICES"):  # the invoices a correction credited and replaced (corrections)
        invoices.update(extra(order))
    for request in PaymentRequest.objects.filter(order=order, state=PaymentRequest.State.PAID):
        currency = (request.currency or order.currency).upper()
        key = request.stripe_invoice_id or f"request {request.pk}"
        invoices.setdefault(key, (currency, request.amount_due_cents or 0))
    if order.invoice_id.startswith("in_") and order.invoice_id not in invoices:
        invoices[order.invoice_id] = (order.currency.upper(), order.total_cents)
    figures: Counter = Counter()
    for currency, amount in invoices.values():
        figures[currency] += amount
    for note in order.credit_notes.filter(status=CreditNote.Status.ISSUED):
        figures[note.currency.upper()] -= note.amount_cents
    return figures


def kept(order: Order) -> Counter:
    """Per currency: money received less refunds that went through and disputes lost."""
    figures: Counter = Counter()
    for payment in order.payments.filter(status=Payment.Status.SUCCEEDED):
        figures[payment.currency.upper()] += payment.amount_cents
    for refund in order.refunds.filter(status="succeeded"):
        figures[refund.currency.upper()] -= refund.amount_cents
    for dispute in order.disputes.filter(status="lost"):
        figures[dispute.currency.upper()] -= dispute.amount_cents
    return figures


def differences(order: Order) -> list[Difference]:
    left, right = invoiced(order), kept(order)
    return [
        Difference(currency, left[currency], right[currency])
        for currency in sorted(set(left) | set(right))
        if left[currency] != right[currency]
    ]


def check_order(order: Order) -> list[Difference]:
    """Check one order and flag each difference (once per figures: a new difference is a new flag)."""
    found = differences(order)
    if found:
        with transaction.atomic():
            locked = Order.objects.select_for_update().get(pk=order.pk)
            for difference in found:
                flag(locked, difference.reason(), source="check_invoices")
    return found


def check_all() -> Iterator[str]:
    """Every invoiced order; one line per order that does not add up."""
    for order in invoiced_orders():
        for difference in check_order(order):
            yield f"{order.reference}: {difference.reason()}"
