"""A payment request's invoice fetched from Stripe and converged on (invoice events, reconcile), and voided
when its request ended: at Stripe first, then our records follow what Stripe answers. What converging
writes is invoicing.invoice_state; making the invoice is invoicing.issuing.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from django.db import transaction

from checkout import stripe_gateway
from checkout.models import Order
from common.tasks import PAYMENTS_QUEUE, retrying_task
from invoicing.invoice_state import apply_request_invoice
from invoicing.models import PaymentRequest

State = PaymentRequest.State


class VoidRefused(Exception):
    """The invoice is paid (or was never made): there is nothing to void."""


@transaction.atomic
def converge_request_invoice(invoice: Mapping[str, Any], *, source: str) -> Order | None:
    """Bring a request and its order in line with its invoice as fetched from Stripe; None when the invoice
    is not a payment request's. An invoice made after its request ended is withdrawn by a task."""
    applied = apply_request_invoice(invoice, source=source)
    if applied is None:
        return None
    if applied.withdraw:
        void_request_invoice.enqueue(applied.request_id)
    return applied.order


def sync_open_requests() -> Iterator[str]:
    """Converge every request whose invoice is out and unpaid on Stripe's invoice (reconcile); yields a
    line for each request whose state changed, and for each invoice Stripe no longer knows (skipped)."""
    open_requests = PaymentRequest.objects.filter(
        state__in=[State.ISSUED, State.PREPARING], stripe_invoice_id__isnull=False
    ).select_related("order")
    for request in open_requests:
        reference = request.order.reference or ""
        try:
            invoice = stripe_gateway.fetch_invoice(request.stripe_invoice_id)
        except stripe_gateway.InvalidRequest as error:
            missing = stripe_gateway.unknown_to_stripe(error, f"invoice {request.stripe_invoice_id}")
            if missing is None:
                raise
            yield f"{missing} is unknown to Stripe; skipped ({reference})"
            continue
        converge_request_invoice(invoice, source="reconcile")
        after = PaymentRequest.objects.values_list("state", flat=True).get(pk=request.pk)
        if after != request.state:
            yield f"{reference}: payment request {request.state} -> {after}"


def void_invoice(request_id: int, *, source: str) -> PaymentRequest:
    """Void the request's invoice at Stripe, then bring our records in line. Refused once it is paid."""
    request = PaymentRequest.objects.select_related("order").get(pk=request_id)
    # A request paid by card may still have an open invoice, which is voided; a paid invoice never is.
    if request.invoice_status == "paid":
        raise VoidRefused("The invoice is paid: refund it instead of voiding it.")
    if not request.stripe_invoice_id:
        raise VoidRefused("No invoice has been made for this request.")
    # Paid or voided meanwhile, Stripe refuses and the gateway answers with the invoice as it is: converge
    # on what Stripe says, then answer from it.
    invoice = stripe_gateway.void_invoice(
        request.stripe_invoice_id, idempotency_key=request.stripe_key("void")
    )
    converge_request_invoice(invoice, source=source)
    request.refresh_from_db()
    if invoice.get("status") == "paid":
        raise VoidRefused("The invoice was paid before it could be voided.")
    return request


def void_closed_request_invoice(request_id: int) -> str:
    """The task after a request ended with an invoice out (its order was paid by card, or it closed)."""
    request = PaymentRequest.objects.get(pk=request_id)
    if not request.stripe_invoice_id or request.invoice_status in ("void", "paid", "uncollectible"):
        return "nothing to do"
    try:
        void_invoice(request_id, source="task")
    except VoidRefused:
        return "paid"  # converge flagged the double payment for staff
    return "voided"


@retrying_task(queue=PAYMENTS_QUEUE)
def void_request_invoice(request_id: int) -> str:
    """Withdraw the invoice of a request whose order was paid by card (or that closed)."""
    return void_closed_request_invoice(request_id)
