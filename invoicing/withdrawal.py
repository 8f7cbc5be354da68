"""Withdrawing what a payment request left open at Stripe once the payer must no longer pay through it: the
order's open Checkout Session (a payer may still be on Stripe's page) is expired, and the order converges on
what Stripe then says; a cancelled request's open invoice is voided. Stripe calls, so background tasks only.
"""

from checkout import stripe_gateway
from checkout.models import Order
from common.tasks import PAYMENTS_QUEUE, retrying_task
from invoicing.converge import void_closed_request_invoice
from invoicing.models import PaymentRequest
from payments.sessions import converge_session

State = PaymentRequest.State


def expire_checkout_session(order: Order, *, source: str) -> None:
    """Expire the order's open Checkout Session (the only one it can have: a new one opens only once the
    last expired), and converge the order on it: a session paid a moment ago counts as paid (and, for an
    ended request, is flagged by invoicing.closing)."""
    if not order.stripe_session_id:
        return
    session = stripe_gateway.fetch_session(order.stripe_session_id)
    if session.get("status") == "open":
        # Refused when it completed a moment ago: the fetch below says how.
        stripe_gateway.expire_session(order.stripe_session_id)
        session = stripe_gateway.fetch_session(order.stripe_session_id)
    converge_session(session, source=source)


def withdraw_request(request_id: int) -> str:
    """After the request was cancelled: close the payer's Checkout page and void its open invoice."""
    request = PaymentRequest.objects.select_related("order").get(pk=request_id)
    if request.state != State.CANCELLED:  # cancelled by the buyer or staff, or declined by the payer
        return "nothing to do"
    expire_checkout_session(request.order, source="task")
    void_closed_request_invoice(request_id)
    return "withdrawn"


@retrying_task(queue=PAYMENTS_QUEUE)
def withdraw_cancelled_request(request_id: int) -> str:
    """Enqueued with the cancellation: nothing the request opened at Stripe can still take money."""
    return withdraw_request(request_id)


@retrying_task(queue=PAYMENTS_QUEUE)
def expire_open_session(request_id: int) -> str:
    """The payer corrected the PO number: the order's open Checkout Session (made with the old one) is
    expired, and "Pay by card" then opens a new one."""
    request = PaymentRequest.objects.select_related("order").get(pk=request_id)
    if not request.can_choose:
        return "nothing to do"
    expire_checkout_session(request.order, source="task")
    return "expired"
