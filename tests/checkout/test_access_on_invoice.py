"""INVOICE_ACCESS_ON_ISSUE: access as soon as a payment request's invoice is issued, taken back (with a
clear email) when the invoice is voided or marked uncollectible, given back if it is paid after all. Off by
default: then access waits for the money."""

import pytest
from django.core import mail

from access.models import Grant
from checkout.models import Order
from invoicing import converge as invoice_issuing
from invoicing.models import PaymentRequest
from tests.checkout.payreq_helpers import deliver_new_events, fresh_request_throttle, payer_link, send_request  # noqa: F401  (the fixture: autouse)

pytestmark = pytest.mark.django_db


def _issue(client, fake_stripe, run_tasks, quantity=3):
    _, request = send_request(client, quantity=quantity)
    run_tasks()
    client.post(payer_link(), {"action": "invoice"})
    run_tasks()
    request.refresh_from_db()
    assert request.state == PaymentRequest.State.ISSUED
    return request


def _given(order_id) -> int:
    return (
        Grant.objects.filter(order_id=order_id)
        .exclude(state=Grant.State.REVOKED)
        .values("seat")
        .distinct()
        .count()
    )


def test_off_by_default_access_waits_for_the_money(client, catalog, fake_stripe, run_tasks):
    request = _issue(client, fake_stripe, run_tasks)

    assert _given(request.order_id) == 0
    assert not request.access_on_issue


def test_on_access_comes_with_the_invoice_and_ends_when_it_is_voided(
    client, catalog, fake_stripe, run_tasks, settings
):
    settings.INVOICE_ACCESS_ON_ISSUE = True
    request = _issue(client, fake_stripe, run_tasks)
    order = Order.objects.get(pk=request.order_id)

    assert order.status == Order.Status.PENDING
    assert _given(order.pk) == 3
    invoice_email = [m for m in mail.outbox if m.subject.startswith("Invoice")][-1]
    assert "access is open already" in invoice_email.body

    invoice_issuing.void_invoice(request.pk, source="staff:test")
    run_tasks()

    assert _given(order.pk) == 0
    ended = [
        m
        for m in mail.outbox
        if m.to == ["dana@studio.example"] and "withdrawn or will not be paid" in m.body
    ]
    assert len(ended) == 1


def test_on_paid_after_being_marked_uncollectible_gives_access_back(
    client, catalog, fake_stripe, run_tasks, deliver_event, settings
):
    settings.INVOICE_ACCESS_ON_ISSUE = True
    request = _issue(client, fake_stripe, run_tasks)
    seen: set[str] = set()
    deliver_new_events(fake_stripe, deliver_event, seen)
    fake_stripe.mark_uncollectible(request.stripe_invoice_id)
    deliver_new_events(fake_stripe, deliver_event, seen)
    run_tasks()
    assert _given(request.order_id) == 0

    fake_stripe.pay_invoice(request.stripe_invoice_id)
    deliver_new_events(fake_stripe, deliver_event, seen)
    run_tasks()

    order = Order.objects.get(pk=request.order_id)
    assert order.status == Order.Status.PAID
    assert _given(order.pk) == 3
    assert (
        Grant.objects.filter(order=order).count()
        == Grant.objects.filter(order=order).values("seat", "product").distinct().count()
    )
    assert order.history.filter(message__contains="the invoice was paid after all").exists()


def test_on_payment_keeps_the_access_given_on_the_invoice(
    client, catalog, fake_stripe, run_tasks, deliver_event, settings
):
    settings.INVOICE_ACCESS_ON_ISSUE = True
    request = _issue(client, fake_stripe, run_tasks)
    grants_before = set(Grant.objects.filter(order_id=request.order_id).values_list("pk", flat=True))
    invoice = fake_stripe.invoices[request.stripe_invoice_id]

    fake_stripe.fund_cash_balance(invoice["customer"], invoice["amount_due"])
    deliver_new_events(fake_stripe, deliver_event, set())
    run_tasks()

    assert Order.objects.get(pk=request.order_id).status == Order.Status.PAID
    assert set(Grant.objects.filter(order_id=request.order_id).values_list("pk", flat=True)) == grants_before
    assert _given(request.order_id) == 3
