"""What bank transfers left on a payment request's Stripe customer cash balance: money sent short of the
invoice, or an overpayment once it is paid (flagged for staff)."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from catalog.money import format_money
from checkout.models import Order
from checkout.stripe_client import stripe_client
from checkout.stripe_values import object_id
from common.tasks import retrying_task
from invoicing.models import PaymentRequest
from payments.review import flag

State = PaymentRequest.State


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


@retrying_task
def refresh_request_cash_balance(request_id: int) -> str:
    """What the payer's bank transfers left on the Stripe customer's cash balance (part or overpayment)."""
    return refresh_cash_balance(request_id)
