"""A payment request's state is one derivation from what Stripe says (invoicing.request_state): the table
itself, and the case whose outcome used to hang on which statement ran first (an invoice marked
uncollectible, then paid)."""

import secrets

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from invoicing import closing, request_state
from invoicing.emails import receipt_purpose
from invoicing.models import PaymentRequest
from invoicing.request_state import Facts, derive
from payments.models import Payment
from tests.checkout.conftest import run_ready_tasks
from tests.checkout.payreq_helpers import fresh_request_throttle, payer_link, send_request  # noqa: F401
from tests.factories import make_order, make_product

State = PaymentRequest.State
NOTHING = Facts(invoice_status="", order_paid=False, paid_by_its_invoice=False)


def facts(**changes) -> Facts:
    return Facts(**{**NOTHING.__dict__, **changes})


@pytest.mark.parametrize(
    ("state", "known", "expected"),
    [
        # Nothing from Stripe yet: the payer's own choice stands.
        (State.SENT, NOTHING, State.SENT),
        (State.PREPARING, facts(invoice_status="draft"), State.PREPARING),
        # The invoice is out.
        (State.PREPARING, facts(invoice_status="open"), State.ISSUED),
        (State.VIEWED, facts(invoice_status="open"), State.ISSUED),
        (State.ISSUED, facts(invoice_status="open"), State.ISSUED),
        # Ended at Stripe.
        (State.ISSUED, facts(invoice_status="void"), State.CANCELLED),
        (State.ISSUED, facts(invoice_status="uncollectible"), State.CANCELLED),
        # Paid: by its invoice, or by card (the order's money, whichever way it came).
        (State.ISSUED, facts(invoice_status="paid", order_paid=True, paid_by_its_invoice=True), State.PAID),
        (State.SENT, facts(order_paid=True), State.PAID),
        (State.ISSUED, facts(invoice_status="open", order_paid=True), State.PAID),
        # A paid invoice the order did not take (flagged for staff): the request still waits.
        (State.ISSUED, facts(invoice_status="paid"), State.ISSUED),
        # Stripe takes payment of an invoice marked uncollectible: the money counts.
        (
            State.CANCELLED,
            facts(invoice_status="paid", order_paid=True, paid_by_its_invoice=True),
            State.PAID,
        ),
        # Money that came another way after a cancellation is flagged, never taken as the request's.
        (State.CANCELLED, facts(order_paid=True), State.CANCELLED),
        # Forward only.
        (State.PAID, facts(invoice_status="void"), State.PAID),
        (State.PAID, facts(invoice_status="open"), State.PAID),
        (State.CLOSED, facts(invoice_status="paid", order_paid=True, paid_by_its_invoice=True), State.CLOSED),
        (State.CANCELLED, facts(invoice_status="open"), State.CANCELLED),
    ],
)
def test_the_state_follows_from_what_stripe_says(state, known, expected):
    assert derive(state, known) == expected


@pytest.mark.django_db
def test_an_invoice_paid_after_it_was_marked_uncollectible_pays_the_request(
    client, catalog, fake_stripe, deliver_event
):
    """The request was cancelled with its invoice; the payment that follows is the request's own money: the
    request reads paid, the payer gets a receipt, and nothing is flagged as money after a cancellation."""
    _, request = send_request(client, quantity=2)
    run_ready_tasks()
    client.post(payer_link(), {"action": "invoice"})
    run_ready_tasks()
    request.refresh_from_db()
    assert request.state == State.ISSUED
    fake_stripe.mark_uncollectible(request.stripe_invoice_id)
    for event in list(fake_stripe.events):
        deliver_event(event)
    request.refresh_from_db()
    assert request.state == State.CANCELLED
    mail.outbox.clear()

    fake_stripe.pay_invoice(request.stripe_invoice_id)
    for event in list(fake_stripe.events):
        deliver_event(event)

    request.refresh_from_db()
    order = request.order
    assert request.state == State.PAID
    assert order.payments.get(status=Payment.Status.SUCCEEDED).stripe_invoice_id == request.stripe_invoice_id
    assert "after its payment request was cancelled" not in order.review_reason
    receipts = order.emails.filter(purpose=receipt_purpose(request), sent_at__isnull=False)
    assert set(receipts.values_list("recipient", flat=True)) == {"max@studio.example", "ap@studio.example"}
    # Converging again changes nothing and withdraws nothing: the paid invoice is never voided.
    outcome = request_state.converge(request, order, source="test")
    assert (outcome.state, outcome.moved, outcome.withdraw) == (State.PAID, False, False)


def _issued_request(order, *, invoice_status: str = "open") -> PaymentRequest:
    return PaymentRequest.objects.create(
        order=order,
        token_hash=secrets.token_hex(32),
        buyer_name="Dana",
        buyer_email="dana@studio.example",
        payer_name="Max",
        payer_email="max@studio.example",
        company_name="Studio Ltd",
        billing_country="US",
        state=State.ISSUED,
        invoice_status=invoice_status,
        stripe_invoice_id=f"in_test_{secrets.token_hex(6)}",
        currency=order.currency,
    )


def _void_tasks(request: PaymentRequest) -> int:
    return DBTaskResult.objects.filter(
        task_path__endswith="void_request_invoice", args_kwargs__args=[request.pk]
    ).count()


@pytest.mark.django_db
@pytest.mark.parametrize("hook_first", [True, False])
def test_a_request_paid_by_its_own_invoice_ends_the_same_whichever_runs_first(hook_first):
    """The paid-order hook (invoicing.closing) and the invoice's own convergence derive the same state from
    the same records: paid, nothing withdrawn, nothing flagged, one receipt, one history row for the move,
    whichever runs first, even while the stored invoice status is still the open one."""
    order = make_order([(make_product(price_cents=29700), 2)], status="paid")
    request = _issued_request(order)
    Payment.objects.filter(order=order).update(
        stripe_session_id=None, stripe_invoice_id=request.stripe_invoice_id
    )

    steps = [
        lambda: closing.close_for_paid_order(order, source="test"),
        lambda: request_state.converge(request, order, source="test"),
    ]
    with transaction.atomic():
        outcomes = [step() for step in (steps if hook_first else steps[::-1])]

    request.refresh_from_db()
    order.refresh_from_db()
    assert request.state == State.PAID
    assert _void_tasks(request) == 0
    assert not order.needs_review
    assert order.history.filter(message__contains="→ paid").count() == 1
    assert [o for o in outcomes if o is not None] == [
        request_state.Outcome(State.PAID, not hook_first, False)
    ]


@pytest.mark.django_db
def test_a_request_whose_order_a_card_paid_withdraws_its_open_invoice():
    order = make_order([(make_product(price_cents=29700), 2)], status="paid")  # paid through its session
    request = _issued_request(order)

    with transaction.atomic():
        outcome = request_state.converge(request, order, source="test")
    assert outcome == request_state.Outcome(State.PAID, True, True)

    request.state = State.ISSUED
    request.save(update_fields=["state"])
    with transaction.atomic():
        closing.close_for_paid_order(order, source="test")  # the hook enqueues what the derivation asks
    assert _void_tasks(request) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("invoice_status", ["void", "uncollectible", "paid"])
def test_an_invoice_done_with_at_stripe_is_never_withdrawn(invoice_status):
    order = make_order([(make_product(price_cents=29700), 2)], status="paid")
    request = _issued_request(order, invoice_status=invoice_status)

    with transaction.atomic():
        outcome = request_state.converge(request, order, source="test")

    assert outcome.state == State.PAID and outcome.withdraw is False
