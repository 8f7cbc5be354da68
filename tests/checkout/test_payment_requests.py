"""My company pays: a payment request, the payer's page, the invoice on terms made at Stripe by a task, and
the order paid through the same fulfilment as a card payment."""

import pytest
from django.core import mail

from access.models import Grant
from checkout.models import Order
from invoicing.models import PaymentRequest
from tests.checkout.payreq_helpers import deliver_new_events, fresh_request_throttle, payer_link, send_request  # noqa: F401  (the fixture: autouse)

pytestmark = pytest.mark.django_db

State = PaymentRequest.State


def test_request_makes_a_pending_order_at_catalogue_price_and_emails_the_payer(
    client, catalog, fake_stripe, run_tasks
):
    response, request = send_request(client, quantity=10, price="1", total_cents="1")

    assert response.status_code == 303
    order = request.order
    assert order.status == Order.Status.PENDING
    assert order.total_cents == catalog["bundle"].price_cents * 10
    assert order.email == "dana@studio.example"
    assert order.po_number == "PO-4471"
    assert request.state == State.SENT
    assert fake_stripe.requests == []  # nothing at Stripe until the payer chooses
    run_tasks()
    (message,) = [m for m in mail.outbox if m.to != ["dana@studio.example"]]  # the buyer gets a copy
    assert message.to == ["max@studio.example"]
    assert message.cc == ["ap@studio.example"]
    assert "Training budget Q1" in message.body
    assert "/pay-request/" in message.body


def test_payer_asks_for_an_invoice_and_a_bank_transfer_pays_it(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    _, request = send_request(client)
    run_tasks()
    link = payer_link()

    page = client.get(link)
    assert page.status_code == 200
    assert b"Send us an invoice" in page.content
    assert fake_stripe.requests == []  # showing the page asks nothing of Stripe
    response = client.post(link, {"action": "invoice"})
    assert response.status_code == 303
    assert fake_stripe.requests == []  # the click answers at once: the task makes the invoice
    assert b"Preparing your invoice" in client.get(link).content

    run_tasks()
    (invoice,) = fake_stripe.invoices.values()
    assert invoice["status"] == "open"
    assert invoice["collection_method"] == "send_invoice"
    assert invoice["custom_fields"] == [{"name": "PO number", "value": "PO-4471"}]
    assert invoice["payment_settings"]["payment_method_types"] == ["card", "customer_balance"]
    assert invoice["amount_due"] == request.order.total_cents
    assert invoice["metadata"]["order_reference"] == request.order.reference
    request.refresh_from_db()
    assert request.state == State.ISSUED
    assert request.due_at is not None and request.invoice_number
    invoice_email = [m for m in mail.outbox if "Invoice" in m.subject][-1]
    assert invoice["hosted_invoice_url"] in invoice_email.body
    assert "dana@studio.example" in invoice_email.cc
    assert b"Pay by card or see bank transfer details" in client.get(link).content

    seen: set[str] = set()
    deliver_new_events(fake_stripe, deliver_event, seen)
    fake_stripe.fund_cash_balance(invoice["customer"], invoice["amount_due"])
    deliver_new_events(fake_stripe, deliver_event, seen)
    run_tasks()

    order = Order.objects.get(pk=request.order_id)
    assert order.status == Order.Status.PAID
    (payment,) = order.payments.all()
    assert payment.stripe_invoice_id == invoice["id"]
    assert payment.amount_cents == order.total_cents
    assert payment.fee_cents == min(round(order.total_cents * 0.008), 500)
    request.refresh_from_db()
    assert request.state == State.PAID
    assert any(m.to == ["dana@studio.example"] and "order" in m.subject.lower() for m in mail.outbox)
    assert Grant.objects.filter(order=order).values("seat").distinct().count() == 10


def test_a_refund_of_an_invoice_payment_is_recorded_and_ends_access(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    from tests.stripe_fake import make_event

    _, request = send_request(client, quantity=2)
    run_tasks()
    client.post(payer_link(), {"action": "invoice"})
    run_tasks()
    request.refresh_from_db()
    invoice = fake_stripe.invoices[request.stripe_invoice_id]
    fake_stripe.fund_cash_balance(invoice["customer"], invoice["amount_due"])
    deliver_new_events(fake_stripe, deliver_event, set())
    payment = Order.objects.get(pk=request.order_id).payments.get()

    refund = fake_stripe.refund(payment.stripe_payment_intent_id)
    deliver_event(make_event("refund.created", refund))
    run_tasks()

    order = Order.objects.get(pk=request.order_id)
    assert order.status == Order.Status.REFUNDED
    assert order.refunds.get().stripe_refund_id == refund["id"]
    assert not Grant.objects.filter(order=order, state=Grant.State.ACTIVE).exists()


def test_the_review_page_links_this_browser_to_its_waiting_request(client, catalog, fake_stripe):
    from django.test import Client

    _, request = send_request(client)

    mine = client.get("/checkout/bundle/")
    theirs = Client().get("/checkout/bundle/")

    assert f"/company-pays/{request.order.reference}/".encode() in mine.content
    assert b"/company-pays/" not in theirs.content.replace(b'action="/company-pays/"', b"")
