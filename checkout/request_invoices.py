"""A payment request's invoice as Stripe shows it: the request and its order brought in line (invoice events,
reconcile), in any order and any number of times. Money received on the invoice is a Payment keyed by the
invoice's id, and the order settles through checkout.status like a card payment (confirmation, access,
history). Also what bank transfers left on the payer's cash balance. Making and voiding the invoice at
Stripe is checkout.invoice_issuing.
"""

import datetime as dt
import logging
from collections.abc import Iterator, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction

from catalog.money import format_money
from checkout import request_states, states
from checkout.invoices import capture_invoice
from checkout.models import Order, Payment, PaymentRequest
from checkout.review import flag
from checkout.status import derive_status, order_changed, settle
from checkout.stripe_client import stripe_client
from checkout.stripe_values import object_id, stripe_time
from common.text import single_line

logger = logging.getLogger("checkout")

State = PaymentRequest.State


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
def converge_request_invoice(invoice: Mapping[str, Any], *, source: str) -> Order | None:
    """Bring a request and its order in line with the request's invoice as fetched from Stripe; None when
    the invoice is not a payment request's. Any order of events, any number of times: one end state."""
    from checkout import tasks

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
            tasks.send_request_invoice.enqueue(request.pk)
            if settings.INVOICE_ACCESS_ON_ISSUE:
                request.access_on_issue = True
                request.save(update_fields=["access_on_issue"])
                states.note(order, "access", "Access given on the invoice, before payment.", source=source)
                order_changed(order)
        elif request.state in (State.CANCELLED, State.CLOSED):
            tasks.void_request_invoice.enqueue(request.pk)  # made after the request ended: withdraw it
    elif status in ("void", "uncollectible"):
        words = "voided" if status == "void" else "marked uncollectible"
        moved = request_states.move(
            request, State.CANCELLED, source=source, reason=f"the invoice was {words}"
        )
        if moved and request.access_on_issue:
            order_changed(order)  # the access given on the invoice ends
    return order


def _paid_intent(invoice: Mapping[str, Any]) -> str:
    payments = invoice.get("payments") if isinstance(invoice.get("payments"), Mapping) else {}
    for item in payments.get("data") or []:
        payment = item.get("payment") if isinstance(item, Mapping) else None
        if isinstance(payment, Mapping) and item.get("status") == "paid":
            return object_id(payment.get("payment_intent"))
    return ""


def _converge_paid(order: Order, request: PaymentRequest, invoice: Mapping[str, Any], *, source: str) -> None:
    from checkout import tasks

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
        tasks.refresh_request_cash_balance.enqueue(request.pk)  # an overpayment stays on the balance
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
            tasks.record_payment_fees.enqueue(payment.pk)
    request_states.move(request, State.PAID, source=source)
    settle(order, derive_status(order), source=source, before=before)


def fetch_request_invoice(invoice_id: str) -> dict[str, Any]:
    return stripe_client().v1.invoices.retrieve(invoice_id, params={"expand": ["payments"]}).to_dict()


def sync_open_requests() -> Iterator[tuple[str, str, str]]:
    """Converge every request whose invoice is out and unpaid on Stripe's invoice (reconcile); yields
    (order reference, state before, state after) for each request whose state changed."""
    open_requests = PaymentRequest.objects.filter(
        state__in=[State.ISSUED, State.PREPARING], stripe_invoice_id__isnull=False
    ).select_related("order")
    for request in open_requests:
        converge_request_invoice(fetch_request_invoice(request.stripe_invoice_id), source="reconcile")
        after = PaymentRequest.objects.values_list("state", flat=True).get(pk=request.pk)
        if after != request.state:
            yield request.order.reference or "", request.state, after


def refresh_cash_balance(request_id: int) -> str:
    """Store what the request's Stripe customer holds on its cash balance: money sent short of the invoice
    (Stripe does not part-pay invoices) shows on receivables; anything left once the invoice is paid is an
    overpayment, flagged for staff to refund."""
    request = PaymentRequest.objects.get(pk=request_id)
    if not request.stripe_customer_id:
        return "no customer"
    customer = (
        stripe_client()
        .v1.customers.retrieve(request.stripe_customer_id, params={"expand": ["cash_balance"]})
        .to_dict()
    )
    cash = customer.get("cash_balance") if isinstance(customer.get("cash_balance"), Mapping) else {}
    available = cash.get("available") if isinstance(cash.get("available"), Mapping) else {}
    balance = available.get((request.currency or "").lower(), 0)
    balance = balance if isinstance(balance, int) else 0
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=request.order_id)
        request = PaymentRequest.objects.select_for_update().get(pk=request_id)
        if request.cash_balance_cents != balance:
            request.cash_balance_cents = balance
            request.save(update_fields=["cash_balance_cents", "updated_at"])
        if balance > 0 and request.state == State.PAID:
            flag(
                order,
                f"Overpaid: {format_money(balance, order.currency)} stays on Stripe customer "
                f"{request.stripe_customer_id}'s cash balance after invoice {request.invoice_number} was paid. "
                "Refund it to the payer.",
                source="task",
            )
    return "recorded"


def handle_cash_balance_event(data: Mapping[str, Any], *, source: str) -> Order | None:
    """A bank transfer reached a customer's cash balance (a task: it asks Stripe for the balance)."""
    customer_id = object_id(data.get("customer"))
    request = PaymentRequest.objects.filter(stripe_customer_id=customer_id).select_related("order").first()
    if not customer_id or request is None:
        return None
    refresh_cash_balance(request.pk)
    return request.order
