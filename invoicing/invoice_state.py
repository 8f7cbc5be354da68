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

from django.conf import settings
from django.db import transaction

from catalog.money import format_money
from checkout import states
from checkout.models import Order
from checkout.stripe_values import object_id, stripe_time
from common.text import single_line
from invoicing import states as request_states
from invoicing.cash import refresh_request_cash_balance
from invoicing.emails import send_request_invoice
from invoicing.models import PaymentRequest
from payments.fees import record_payment_fees
from payments.invoices import capture_invoice
from payments.models import Payment
from payments.review import flag
from payments.status import derive_status, order_changed, settle

State = PaymentRequest.State


@dataclass(frozen=True)
class Applied:
    order: Order
    request_id: int
    withdraw: bool = False  # the invoice is open but its request ended: void it


def _record(request: PaymentRequest, invoice: Mapping[str, Any]) -> None:
    request.invoice_status = single_line(invoice.get("status"), 30)
    request.invoice_number = single_line(invoice.get("number"), 100) or request.invoice_number
    for field, key in (("invoice_url", "hosted_invoice_url"), ("invoice_pdf_url", "invoice_pdf")):
        url = single_line(invoice.get(key), 2000)
        if url.startswith("https://"):
            setattr(request, field, url)
    due = stripe_time(invoice.get("due_date"))
    request.due_at = due or request.due_at
    if isinstance(invoice.get("amount_due"), int):
        request.amount_due_cents = invoice["amount_due"]
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
def apply_request_invoice(invoice: Mapping[str, Any], *, source: str) -> Applied | None:
    """Bring a request and its order in line with the request's invoice as fetched from Stripe; None when
    the invoice is not a payment request's. Any order of events, any number of times: one end state. The
    caller withdraws an invoice made after its request ended (`Applied.withdraw`)."""
    invoice_id = object_id(invoice.get("id"))
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
    if status in ("open", "paid"):
        capture_invoice(order, invoice)
        order.save(
            update_fields=["invoice_id", "invoice_number", "invoice_url", "invoice_pdf_url", "updated_at"]
        )
    if status == "paid":
        _converge_paid(order, request, invoice, source=source)
    elif status == "open":
        if request_states.move(request, State.ISSUED, source=source):
            send_request_invoice.enqueue(request.pk)
            if settings.INVOICE_ACCESS_ON_ISSUE:
                request.access_on_issue = True
                request.save(update_fields=["access_on_issue"])
                states.note(order, "access", "Access given on the invoice, before payment.", source=source)
                order_changed(order)
        elif request.state in (State.CANCELLED, State.CLOSED):
            return Applied(order, request.pk, withdraw=True)  # made after the request ended
    elif status in ("void", "uncollectible"):
        words = "voided" if status == "void" else "marked uncollectible"
        moved = request_states.move(
            request, State.CANCELLED, source=source, reason=f"the invoice was {words}"
        )
        if moved and request.access_on_issue:
            order_changed(order)  # the access given on the invoice ends
    return Applied(order, request.pk)


def _paid_intent(invoice: Mapping[str, Any]) -> str:
    payments = invoice.get("payments") if isinstance(invoice.get("payments"), Mapping) else {}
    for item in payments.get("data") or []:
        payment = item.get("payment") if isinstance(item, Mapping) else None
        if isinstance(payment, Mapping) and item.get("status") == "paid":
            return object_id(payment.get("payment_intent"))
    return ""


def _converge_paid(order: Order, request: PaymentRequest, invoice: Mapping[str, Any], *, source: str) -> None:
    invoice_id = object_id(invoice.get("id"))
    amount = invoice.get("amount_paid")
    currency = single_line(invoice.get("currency"), 3).upper()
    if currency != order.currency or amount != order.total_cents:
        shown = format_money(amount, currency or order.currency) if isinstance(amount, int) else "nothing"
        flag(
            order,
            f"Invoice {request.invoice_number or invoice_id} was paid {shown} in {currency or 'no currency'}; "
            f"the order's total is {format_money(order.total_cents, order.currency)}. Not fulfilled.",
            source=source,
        )
        return
    if order.payments.filter(status=Payment.Status.SUCCEEDED).exclude(stripe_invoice_id=invoice_id).exists():
        flag(
            order,
            f"Invoice {request.invoice_number or invoice_id} was paid, but the order had already been paid "
            "another way: refund one of the two payments.",
            source=source,
        )
        return
    before = order.status
    payment, created = Payment.objects.get_or_create(
        stripe_invoice_id=invoice_id,
        defaults={
            "order": order,
            "status": Payment.Status.SUCCEEDED,
            "amount_cents": amount,
            "currency": currency,
            "stripe_payment_intent_id": _paid_intent(invoice),
            "paid_at": stripe_time((invoice.get("status_transitions") or {}).get("paid_at")),
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
    request_states.move(request, State.PAID, source=source)
    settle(order, derive_status(order), source=source, before=before)
