"""A payment request's state derived from what Stripe says: its invoice's status (as last fetched), the money
received for its order, and whether that money came through the request's own invoice. Every Stripe-driven
move of a request (issued, paid, cancelled with its invoice) is this derivation applied, so any order of
events and any number of runs end the same: the state is a function of the facts, not of which statement
ran first. The payer's and buyer's own choices (viewed, preparing, cancelled, declined) are moves in
invoicing.requests and invoicing.bill_to; Stripe refusing an invoice is invoicing.issuing's.

Callers hold the order's row lock, then the request's (invoicing.states.lock)."""

from dataclasses import dataclass

from django.conf import settings

from checkout import states
from checkout.models import Order
from invoicing import states as request_states
from invoicing.emails import send_request_invoice
from invoicing.models import PaymentRequest
from payments.models import Payment
from payments.status import order_changed

State = PaymentRequest.State
ENDED_BY_INVOICE = {"void": "voided", "uncollectible": "marked uncollectible"}


@dataclass(frozen=True)
class Facts:
    """What Stripe's records say about one request."""

    invoice_status: str  # Stripe's status of the request's invoice ("" before one exists)
    order_paid: bool  # money was received for the order, by whatever way
    paid_by_its_invoice: bool  # a received payment came through this request's own invoice


@dataclass(frozen=True)
class Outcome:
    state: str
    moved: bool
    withdraw: bool  # an invoice may still be out for a request that no longer waits for it: void it


def derive(state: str, facts: Facts) -> str:
    """The state the request should be in. Forward only: a closed request stays closed, a cancelled one is
    paid only by its own invoice (Stripe takes payment of an invoice marked uncollectible: the money still
    counts), and money for the order that came another way after a cancellation is flagged, not taken."""
    if facts.paid_by_its_invoice and state != State.CLOSED:
        return State.PAID
    if state not in PaymentRequest.OPEN:
        return state
    if facts.order_paid:
        return State.PAID  # by its invoice or by card through the payer's page: either way the payer paid
    if facts.invoice_status == "open":
        return State.ISSUED
    if facts.invoice_status in ENDED_BY_INVOICE:
        return State.CANCELLED
    return state


def facts(request: PaymentRequest, order: Order) -> Facts:
    paid_by_its_invoice = (
        bool(request.stripe_invoice_id)
        and (
            order.payments.filter(
                status=Payment.Status.SUCCEEDED, stripe_invoice_id=request.stripe_invoice_id
            )
        ).exists()
    )
    return Facts(
        invoice_status=request.invoice_status,
        order_paid=order.money_received,
        paid_by_its_invoice=paid_by_its_invoice,
    )


def converge(request: PaymentRequest, order: Order, *, source: str) -> Outcome:
    """Apply the derived state to the request (and what entering it sets off), reading its state afresh: an
    earlier statement of the same transaction may have moved it already."""
    request.refresh_from_db(fields=["state", "access_on_issue", "invoice_status", "stripe_invoice_id"])
    request.order = order
    old = request.state
    known = facts(request, order)
    new = derive(old, known)
    moved = new != old and request_states.move(request, new, source=source, reason=_reason(new, known))
    if moved and new == State.ISSUED:
        send_request_invoice.enqueue(request.pk)
        if settings.INVOICE_ACCESS_ON_ISSUE:
            request.access_on_issue = True
            request.save(update_fields=["access_on_issue"])
            states.note(order, "access", "Access given on the invoice, before payment.", source=source)
            order_changed(order)
    elif moved and new == State.CANCELLED and request.access_on_issue:
        order_changed(order)  # the access given on the invoice ends
    # Out, or perhaps on its way (the issuing task may still finalize it); void, paid and uncollectible
    # invoices are done with at Stripe.
    invoice_out = known.invoice_status == "open" or (
        old in (State.PREPARING, State.ISSUED) and known.invoice_status not in ("paid", *ENDED_BY_INVOICE)
    )
    withdraw = request.state not in PaymentRequest.OPEN and invoice_out and not known.paid_by_its_invoice
    return Outcome(request.state, moved, withdraw)


def _reason(new: str, known: Facts) -> str:
    if new == State.CANCELLED and known.invoice_status in ENDED_BY_INVOICE:
        return f"the invoice was {ENDED_BY_INVOICE[known.invoice_status]}"
    return ""
