"""A payment request's invoice as Stripe shows it, applied to the request and its order (invoice events,
reconcile, voiding), in any order and any number of times. Money received on the invoice is a Payment keyed
by the invoice's id, and the order settles through payments.status like a card payment (confirmation,
access, history). Making the invoice at Stripe is invoicing.issuing; invoicing.converge fetches, applies and
withdraws.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from catalog.money import format_money
from checkout import states
from checkout.models import Order
from checkout.stripe_values import Invoice, invoice_value
from invoicing import request_state
from invoicing.cash import refresh_request_cash_balance
from invoicing.models import PaymentRequest
from payments.fees import record_payment_fees
from payments.invoices import capture_invoice_value
from payments.models import Payment
from payments.review import flag
from payments.status import derive_status, settle

State = PaymentRequest.State


@dataclass(frozen=True)
class Applied:
    order: Order
    request_id: int
    withdraw: bool = False  # an invoice may still be out for a request that no longer waits for it: void it


def _record(request: PaymentRequest, invoice: Invoice) -> None:
    request.invoice_status = invoice.status
    request.invoice_number = invoice.number or request.invoice_number
    for field, url in invoice.links:
        setattr(request, field, url)
    request.due_at = invoice.due_at or request.due_at
    if invoice.amount_due is not None:
        request.amount_due_cents = invoice.amount_due
    request.save(
        update_fields=[
            "invoice_status",
            "invoice_number",
            "invoice_url",
            "invoice_pdf_url",
            "due_at",
            "amount_due_cents",
            "updated_at",
        ]
    )


@transaction.atomic
def apply_request_invoice(data: Mapping[str, Any], *, source: str) -> Applied | None:
    """Bring a request and its order in line with the request's invoice as fetched from Stripe; None when
    the invoice is not a payment request's. Any order of events, any number of times: one end state (the
    request's state is invoicing.request_state's derivation from the records written here). The caller
    withdraws an invoice left out for a request that no longer waits for it (`Applied.withdraw`)."""
    invoice = invoice_value(data)
    invoice_id = invoice.id
    order_id = (
        PaymentRequest.objects.filter(stripe_invoice_id=invoice_id).values_list("order_id", flat=True).first()
    )
    if not invoice_id or order_id is None:
        return None
    order = Order.objects.select_for_update().get(pk=order_id)
    request = (
        PaymentRequest.objects.select_for_update().select_related("order").get(stripe_invoice_id=invoice_id)
    )
    request.order = order
    _record(request, invoice)
    status = request.invoice_status
    # The order's invoice links are the invoice that pays it: never this one once a card paid the order.
    if status in ("open", "paid") and not _paid_another_way(order, invoice_id):
        capture_invoice_value(order, invoice)
        order.save(
            update_fields=["invoice_id", "invoice_number", "invoice_url", "invoice_pdf_url", "updated_at"]
        )
    if status == "paid":
        before = order.status
        if _record_payment(order, request, invoice, source=source):
            request_state.converge(request, order, source=source)
            settle(order, derive_status(order), source=source, before=before)
    outcome = request_state.converge(request, order, source=source)
    return Applied(order, request.pk, withdraw=outcome.withdraw)


def _paid_another_way(order: Order, invoice_id: str) -> bool:
    """Money for the order that did not come through this invoice (its Checkout Session, say)."""
    return (
        order.payments.filter(status=Payment.Status.SUCCEEDED).exclude(stripe_invoice_id=invoice_id).exists()
    )


def _record_payment(order: Order, request: PaymentRequest, invoice: Invoice, *, source: str) -> bool:
    """The invoice's money as the order's Payment (once); False when it is flagged for staff instead (an
    amount or currency other than the order's, or the order already paid another way)."""
    invoice_id, amount, currency = invoice.id, invoice.paid.amount, invoice.paid.currency
    if currency != order.currency or amount != order.total_cents:
        shown = format_money(amount, currency or order.currency) if amount is not None else "nothing"
        flag(
            order,
            f"Invoice {request.invoice_number or invoice_id} was paid {shown} in {currency or 'no currency'}; "
            f"the order's total is {format_money(order.total_cents, order.currency)}. Not fulfilled.",
            source=source,
        )
        return False
    if _paid_another_way(order, invoice_id):
        flag(
            order,
            f"Invoice {request.invoice_number or invoice_id} was paid, but the order had already been paid "
            "another way: refund one of the two payments.",
            source=source,
        )
        return False
    payment, created = Payment.objects.get_or_create(
        stripe_invoice_id=invoice_id,
        defaults={
            "order": order,
            "status": Payment.Status.SUCCEEDED,
            "amount_cents": amount,
            "currency": currency,
            "stripe_payment_intent_id": invoice.paid_intent_id,
            "paid_at": invoice.paid_at,
        },
    )
    if created:
        refresh_request_cash_balance.enqueue(request.pk)  # an overpayment stays on the balance
        if payment.paid_at is None:
            payment.paid_at = dt.datetime.now(dt.UTC)
            payment.save(update_fields=["paid_at"])
        states.note(
            order,
            "payment",
            f"Payment succeeded: {format_money(amount, currency)} (invoice {request.invoice_number or invoice_id}).",
            source=source,
        )
        if payment.stripe_payment_intent_id:
            record_payment_fees.enqueue(payment.pk)
    return True
