"""A payment request that ended (cancelled by the buyer, its invoice voided) while money was still on its
way: the payer's open Checkout page is closed, and money that arrives anyway is never kept silently."""

import pytest
from django.urls import reverse

from checkout.models import Order
from finance import receivables
from invoicing import converge
from invoicing.models import PaymentRequest
from tests.checkout.payreq_helpers import deliver_new_events, fresh_request_throttle, payer_link, send_request  # noqa: F401  (the fixture: autouse)
from tests.finance.conftest import read_csv

pytestmark = pytest.mark.django_db

State = PaymentRequest.State


def _payer_on_stripes_page(client, run_tasks):
    """The request is sent and the payer has opened the card payment (Stripe's page is open)."""
    _, request = send_request(client)
    run_tasks()
    link = payer_link()
    assert client.post(link, {"action": "card", "digital_consent": "on"}).status_code == 303
    order = Order.objects.get(pk=request.order_id)
    return request, link, order


def test_cancelling_a_request_expires_the_payers_open_checkout_session(
    client, catalog, fake_stripe, run_tasks
):
    request, link, order = _payer_on_stripes_page(client, run_tasks)

    client.post(f"/company-pays/{order.reference}/", {"action": "cancel"})
    run_tasks()

    request.refresh_from_db()
    assert request.state == State.CANCELLED
    assert fake_stripe.sessions[order.stripe_session_id]["status"] == "expired"
    sessions_made = len(fake_stripe.session_requests())
    response = client.post(link, {"action": "card", "digital_consent": "on"})
    assert b"can no longer be paid by card" in response.content
    assert len(fake_stripe.session_requests()) == sessions_made  # no new Checkout Session
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert not order.needs_review


def test_money_paid_while_the_request_is_cancelled_is_flagged_with_its_amount(
    client, catalog, fake_stripe, run_tasks
):
    request, _link, order = _payer_on_stripes_page(client, run_tasks)

    client.post(f"/company-pays/{order.reference}/", {"action": "cancel"})
    fake_stripe.complete_session(order.stripe_session_id)  # the payer pays before the session is expired
    run_tasks()

    order.refresh_from_db()
    request.refresh_from_db()
    assert request.state == State.CANCELLED
    assert order.needs_review
    assert "cancelled" in order.review_reason
    shown = f"${order.total_cents // 100:,}"
    assert shown in order.review_reason
    assert order.history.filter(kind="flagged").exists()


def _voided(client, fake_stripe, run_tasks) -> tuple[PaymentRequest, dict]:
    _, request = send_request(client)
    run_tasks()
    client.post(payer_link(), {"action": "invoice"})
    run_tasks()
    request.refresh_from_db()
    converge.void_invoice(request.pk, source="staff:test")
    request.refresh_from_db()
    assert request.state == State.CANCELLED
    return request, fake_stripe.invoices[request.stripe_invoice_id]


def test_a_bank_transfer_to_a_voided_invoice_is_flagged_and_shown_as_unapplied_cash(
    client, catalog, fake_stripe, run_tasks, deliver_event, admin_client
):
    request, invoice = _voided(client, fake_stripe, run_tasks)

    fake_stripe.fund_cash_balance(invoice["customer"], invoice["amount_due"])
    deliver_new_events(fake_stripe, deliver_event, set(), types=("customer_cash_balance",))

    request.refresh_from_db()
    order = Order.objects.get(pk=request.order_id)
    assert request.cash_balance_cents == invoice["amount_due"]
    assert order.status == Order.Status.PENDING
    assert order.needs_review
    assert f"${invoice['amount_due'] // 100:,}" in order.review_reason
    assert request.stripe_customer_id in order.review_reason
    assert [row.request for row in receivables.unapplied()] == [request]
    rows = [r for r in read_csv("".join(receivables.csv_stream())) if r["order_reference"] == order.reference]
    assert [(r["age_bucket"], r["cash_received"]) for r in rows] == [
        ("unapplied cash", f"{invoice['amount_due'] // 100}.00")
    ]
    page = admin_client.get("/admin/finance/receivables/").content.decode()
    assert "Received, not applied" in page and order.reference in page


def test_staff_refund_the_unapplied_cash_to_the_payer_in_one_click(
    client, catalog, fake_stripe, run_tasks, deliver_event, admin_client
):
    request, invoice = _voided(client, fake_stripe, run_tasks)
    fake_stripe.fund_cash_balance(invoice["customer"], 5000)
    deliver_new_events(fake_stripe, deliver_event, set(), types=("customer_cash_balance",))

    response = admin_client.post(
        reverse("admin:invoicing_paymentrequest_changelist"),
        {"action": "refund_unapplied_cash", "_selected_action": [request.pk]},
        follow=True,
    )
    assert "refund of the unapplied cash" in response.content.decode()
    run_tasks()
    run_tasks()  # a second run (a double click, a retry) refunds nothing more

    (call,) = [r for r in fake_stripe.requests if r.method == "POST" and r.path == "/v1/refunds"]
    assert call.form["customer"] == invoice["customer"]
    assert call.form["origin"] == "customer_balance"
    assert (call.form["amount"], call.form["currency"]) == ("5000", "usd")
    request.refresh_from_db()
    assert request.cash_balance_cents == 0
    assert receivables.unapplied() == []
    order = Order.objects.get(pk=request.order_id)
    assert order.history.filter(kind="cash refund", message__contains="$50").exists()


def test_refunding_cash_is_refused_while_the_request_is_open(
    client, catalog, fake_stripe, run_tasks, admin_client
):
    _, request = send_request(client)
    run_tasks()

    response = admin_client.post(
        reverse("admin:invoicing_paymentrequest_changelist"),
        {"action": "refund_unapplied_cash", "_selected_action": [request.pk]},
        follow=True,
    )

    assert "still open" in response.content.decode()
    run_tasks()
    assert not [r for r in fake_stripe.requests if r.path == "/v1/refunds"]
