"""What bank transfers left on a payment request's Stripe customer cash balance: money sent short of the
invoice, an overpayment once it is paid, or money sent after the request ended (its invoice voided, the
order paid another way): the last two are flagged for staff, who refund them to the payer with one admin
action (`refund_request_cash`)."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from catalog.money import format_money
from checkout import states, stripe_gateway
from checkout.models import Order
from checkout.stripe_values import object_id
from common.tasks import PAYMENTS_QUEUE, retrying_task
from invoicing.models import PaymentRequest
from payments.review import flag

State = PaymentRequest.State
ENDED = frozenset({State.CANCELLED, State.CLOSED})
CASH_REFUND = "cash refund"  # the order history's kind for a refund of the cash balance


def refresh_cash_balance(request_id: int) -> str:
    """Store what the request's Stripe customer holds on its cash balance: money sent short of the invoice
    (Stripe does not part-pay invoices) shows on receivables; anything left once the invoice is paid is an
    overpayment, flagged for staff to refund."""
    request = PaymentRequest.objects.get(pk=request_id)
    if not request.stripe_customer_id:
        return "no customer"
    balance = stripe_gateway.cash_balance(request.stripe_customer_id, request.currency or "")
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
                f"{request.stripe_customer_id}'s cash balance after the order was paid. "
                "Refund it to the payer.",
                source="task",
            )
        elif balance > 0 and request.state in ENDED:
            flag(
                order,
                f"Received after the payment request ended ({request.end_reason or request.state}): "
                f"{format_money(balance, order.currency)} is on Stripe customer {request.stripe_customer_id}'s "
                "cash balance, applied to nothing. Refund it to the payer (admin, Payment requests: "
                "Refund the unapplied cash), or make a new request.",
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


@retrying_task(queue=PAYMENTS_QUEUE)
def refresh_request_cash_balance(request_id: int) -> str:
    """What the payer's bank transfers left on the Stripe customer's cash balance (part or overpayment)."""
    return refresh_cash_balance(request_id)


def refund_cash_balance(request_id: int, *, source: str) -> str:
    """Refund what the request's Stripe customer holds on its cash balance to the payer (Stripe collects
    their bank details), once the request no longer waits for it. No Payment of the order is refunded:
    this money was never applied to it. Safe to run twice: the balance is fetched first."""
    refresh_cash_balance(request_id)
    request = PaymentRequest.objects.select_related("order").get(pk=request_id)
    balance = request.cash_balance_cents or 0
    if request.is_open:
        return "still open"
    if balance <= 0:
        return "nothing to refund"
    earlier = request.order.history.filter(kind=CASH_REFUND).count()
    refund = stripe_gateway.refund_cash_balance(
        request.stripe_customer_id,
        amount=balance,
        currency=request.currency or request.order.currency,
        email=request.ap_email or request.payer_email,
        metadata={"order_reference": request.order.reference or "", "payment_request": str(request.pk)},
        idempotency_key=request.stripe_key(f"cash-refund-{earlier}-{balance}"),
    )
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=request.order_id)
        states.note(
            order,
            CASH_REFUND,
            f"Refund {refund.id} ({refund.status}): "
            f"{format_money(balance, order.currency)} from Stripe customer {request.stripe_customer_id}'s cash "
            "balance back to the payer.",
            source=source,
        )
    refresh_cash_balance(request_id)
    return "refunded"


@retrying_task(queue=PAYMENTS_QUEUE)
def refund_request_cash(request_id: int, staff: str) -> str:
    """Staff's "Refund the unapplied cash to the payer" (an admin action enqueues it)."""
    return refund_cash_balance(request_id, source=f"staff:{staff}")
