"""Payment requests under hostile or unlucky input: altered and replaced links, other browsers, orders paid
another way, invoice events repeated, out of order or for the wrong amount, and voiding a paid invoice."""

import pytest
from django.core import mail
from django.test import Client

from checkout.models import Order
from invoicing import converge as invoice_issuing
from invoicing.models import PaymentRequest
from payments.models import Payment
from tests.checkout.conftest import completed_event
from tests.checkout.payreq_helpers import deliver_new_events, fresh_request_throttle, payer_link, send_request  # noqa: F401  (the fixture: autouse)

pytestmark = pytest.mark.django_db

State = PaymentRequest.State


def _invoices_on_terms(fake) -> list[dict]:
    """Invoices a payment request made (not the receipt invoice Checkout makes after a card payment)."""
    return [i for i in fake.invoices.values() if i.get("collection_method") == "send_invoice"]


def _issued(client, fake_stripe, run_tasks):
    _, request = send_request(client)
    run_tasks()
    link = payer_link()
    client.post(link, {"action": "invoice"})
    run_tasks()
    request.refresh_from_db()
    assert request.state == State.ISSUED
    return request, link, fake_stripe.invoices[request.stripe_invoice_id]


def test_an_altered_link_is_refused_without_a_lookup(client, catalog, fake_stripe, run_tasks):
    send_request(client)
    run_tasks()
    link = payer_link()
    altered = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]

    assert client.get(altered).status_code == 404
    assert client.post(altered, {"action": "invoice"}).status_code == 404
    assert client.get("/pay-request/not-a-token/").status_code == 404
    assert PaymentRequest.objects.get().state == State.SENT


def test_a_resent_request_replaces_the_old_link(client, catalog, fake_stripe, run_tasks):
    _, request = send_request(client)
    run_tasks()
    old = payer_link()
    client.post(f"/company-pays/{request.order.reference}/", {"action": "resend"})
    run_tasks()
    new = payer_link()

    assert new != old
    assert client.get(old).status_code == 404
    assert client.post(old, {"action": "invoice"}).status_code == 404
    assert client.get(new).status_code == 200
    assert len([m for m in mail.outbox if m.to == ["max@studio.example"]]) == 2


def test_choosing_the_invoice_twice_makes_one_invoice(client, catalog, fake_stripe, run_tasks):
    _, _request = send_request(client)
    run_tasks()
    link = payer_link()
    client.post(link, {"action": "invoice"})
    client.post(link, {"action": "invoice"})
    run_tasks()
    client.post(link, {"action": "invoice"})
    run_tasks()

    assert len(fake_stripe.invoices) == 1
    assert len(fake_stripe.customers) == 1
    assert len([m for m in mail.outbox if m.subject.startswith("Invoice")]) == 1


def test_the_card_is_refused_once_an_invoice_is_asked_for(client, catalog, fake_stripe, run_tasks):
    _, _request = send_request(client)
    run_tasks()
    link = payer_link()
    client.post(link, {"action": "invoice"})

    response = client.post(link, {"action": "card", "digital_consent": "on"})

    assert response.status_code == 200
    assert b"can no longer be paid by card" in response.content
    assert fake_stripe.session_requests() == []


def test_another_browser_cannot_see_or_cancel_the_buyers_request(client, catalog, fake_stripe):
    _, request = send_request(client)
    stranger = Client()
    path = f"/company-pays/{request.order.reference}/"

    assert client.get(path).status_code == 200
    assert stranger.get(path).status_code == 404
    assert stranger.post(path, {"action": "cancel"}).status_code == 404
    request.refresh_from_db()
    assert request.state == State.SENT


def test_a_cancelled_request_offers_no_payment(client, catalog, fake_stripe, run_tasks):
    _, request = send_request(client)
    run_tasks()
    link = payer_link()
    client.post(f"/company-pays/{request.order.reference}/", {"action": "cancel"})

    client.post(link, {"action": "invoice"})
    page = client.get(link)

    assert b"withdrawn" in page.content
    assert b"Send us an invoice" not in page.content
    run_tasks()
    assert fake_stripe.invoices == {}


def test_a_request_whose_order_the_payer_paid_by_card_reads_paid(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    _, request = send_request(client)
    run_tasks()
    link = payer_link()
    response = client.post(link, {"action": "card", "digital_consent": "on"})
    assert response.status_code == 303
    order = Order.objects.get(pk=request.order_id)
    deliver_event(completed_event(fake_stripe, order, email="max@studio.example", name="Max Manager"))

    order.refresh_from_db()
    request.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.email == "dana@studio.example"  # the buyer keeps the seats, not the card holder
    assert request.state == State.PAID and request.end_reason == ""
    client.post(link, {"action": "invoice"})
    run_tasks()
    assert _invoices_on_terms(fake_stripe) == []
    assert b"Paid, thank you" in client.get(link).content


def test_card_paid_just_before_the_invoice_task_runs_pays_the_request_without_an_invoice(
    client, catalog, fake_stripe, run_tasks
):
    _, request = send_request(client)
    run_tasks()
    link = payer_link()
    client.post(link, {"action": "card", "digital_consent": "on"})  # the payer opens Checkout...
    client.post(link, {"action": "invoice"})  # ...then, in another tab, asks for an invoice
    fake_stripe.complete_session(Order.objects.get(pk=request.order_id).stripe_session_id)  # and pays

    run_tasks()

    request.refresh_from_db()
    assert request.state == State.PAID
    assert request.order.payments.get().status == Payment.Status.SUCCEEDED
    assert _invoices_on_terms(fake_stripe) == []


def test_an_open_checkout_session_is_expired_before_the_invoice_and_the_order_stays_pending(
    client, catalog, fake_stripe, run_tasks
):
    _, request = send_request(client)
    run_tasks()
    link = payer_link()
    client.post(link, {"action": "card", "digital_consent": "on"})
    client.post(link, {"action": "invoice"})
    run_tasks()

    order = Order.objects.get(pk=request.order_id)
    assert fake_stripe.sessions[order.stripe_session_id]["status"] == "expired"
    assert order.status == Order.Status.PENDING
    request.refresh_from_db()
    assert request.state == State.ISSUED


def test_invoice_paid_twice_and_before_finalized_converges_once(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    request, _, invoice = _issued(client, fake_stripe, run_tasks)
    fake_stripe.fund_cash_balance(invoice["customer"], invoice["amount_due"])
    events = [e for e in fake_stripe.events if e["type"].startswith("invoice.")]
    paid = [e for e in events if e["type"] == "invoice.paid"]

    for event in [*paid, *reversed(events), *paid]:
        deliver_event(dict(event, id=event["id"] + "x" if event in paid else event["id"]))
    run_tasks()

    order = Order.objects.get(pk=request.order_id)
    assert order.status == Order.Status.PAID
    assert order.payments.count() == 1
    assert (
        len([m for m in mail.outbox if m.to == ["dana@studio.example"] and "is confirmed" in m.subject]) == 1
    )
    request.refresh_from_db()
    assert request.state == State.PAID


def test_an_invoice_paid_for_another_amount_is_flagged_not_fulfilled(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    request, _, invoice = _issued(client, fake_stripe, run_tasks)
    fake_stripe.fund_cash_balance(invoice["customer"], invoice["amount_due"])
    fake_stripe.invoices[invoice["id"]]["amount_paid"] = invoice["amount_due"] - 100

    deliver_new_events(fake_stripe, deliver_event, set())

    order = Order.objects.get(pk=request.order_id)
    assert order.status == Order.Status.PENDING
    assert order.needs_review
    assert "Not fulfilled" in order.review_reason
    assert order.payments.count() == 0


def test_void_after_payment_is_refused_and_changes_nothing(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    request, _, invoice = _issued(client, fake_stripe, run_tasks)
    fake_stripe.fund_cash_balance(invoice["customer"], invoice["amount_due"])
    deliver_new_events(fake_stripe, deliver_event, set())

    with pytest.raises(invoice_issuing.VoidRefused):
        invoice_issuing.void_invoice(request.pk, source="staff:test")

    assert fake_stripe.invoices[invoice["id"]]["status"] == "paid"
    request.refresh_from_db()
    assert request.state == State.PAID
    assert Order.objects.get(pk=request.order_id).status == Order.Status.PAID


def test_voiding_an_open_invoice_cancels_the_request(client, catalog, fake_stripe, run_tasks):
    request, _link, invoice = _issued(client, fake_stripe, run_tasks)

    invoice_issuing.void_invoice(request.pk, source="staff:test")

    assert fake_stripe.invoices[invoice["id"]]["status"] == "void"
    request.refresh_from_db()
    assert request.state == State.CANCELLED
    assert "voided" in request.end_reason
    assert Order.objects.get(pk=request.order_id).status == Order.Status.PENDING


def test_the_payers_page_is_private_and_never_cached(client, catalog, fake_stripe, run_tasks):
    send_request(client)
    run_tasks()

    response = client.get(payer_link())

    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_a_refused_request_form_shows_its_errors_and_makes_no_order(client, catalog, fake_stripe):
    response, request = send_request(client, payer_email="not an address", billing_country="USA")

    assert response.status_code == 400
    assert request is None
    assert Order.objects.count() == 0
    assert b"Enter a valid email address" in response.content
    assert b"two-letter code" in response.content


def test_a_bank_transfer_short_of_the_total_leaves_the_invoice_open_and_shows_on_receivables(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    from finance import receivables

    request, _, invoice = _issued(client, fake_stripe, run_tasks)
    fake_stripe.fund_cash_balance(invoice["customer"], invoice["amount_due"] - 10000)
    deliver_new_events(fake_stripe, deliver_event, set(), types=("invoice.", "customer_cash_balance"))

    request.refresh_from_db()
    assert fake_stripe.invoices[invoice["id"]]["status"] == "open"
    assert request.state == State.ISSUED
    assert request.cash_balance_cents == invoice["amount_due"] - 10000
    (row,) = [r for r in receivables.receivables() if r.request == request]
    assert receivables.csv_row(row)[-1] == f"{(invoice['amount_due'] - 10000) // 100}.00"
    assert Order.objects.get(pk=request.order_id).status == Order.Status.PENDING


def test_an_overpayment_pays_the_invoice_and_is_flagged_for_a_refund(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    request, _, invoice = _issued(client, fake_stripe, run_tasks)
    fake_stripe.fund_cash_balance(invoice["customer"], invoice["amount_due"] + 2500)
    deliver_new_events(fake_stripe, deliver_event, set(), types=("invoice.", "customer_cash_balance"))
    run_tasks()

    order = Order.objects.get(pk=request.order_id)
    assert order.status == Order.Status.PAID
    assert order.needs_review
    assert "Overpaid: $25" in order.review_reason


def test_an_order_no_longer_pending_takes_no_request(catalog, fake_stripe, monkeypatch):
    from checkout import services
    from invoicing import requests as payment_requests
    from tests.factories import make_order

    paid = make_order([(catalog["bundle"], 3)], status="paid")
    monkeypatch.setattr(services, "create_pending_order", lambda **kwargs: paid)
    details = payment_requests.RequestDetails(
        buyer_name="Dana",
        buyer_email="dana@studio.example",
        payer_name="Max",
        payer_email="max@studio.example",
        company_name="Studio Ltd",
        billing_country="US",
    )

    with pytest.raises(payment_requests.RequestRefused):
        payment_requests.request_payment(
            product=catalog["bundle"], quantity=3, visitor="v" * 32, po_number="", details=details
        )

    assert not PaymentRequest.objects.exists()


def test_the_payer_renews_an_expired_checkout_session(client, catalog, fake_stripe, run_tasks):
    _, request = send_request(client)
    run_tasks()
    link = payer_link()
    first = client.post(link, {"action": "card", "digital_consent": "on"})["Location"]
    order = Order.objects.get(pk=request.order_id)
    fake_stripe.expire_session(order.stripe_session_id)

    second = client.post(link, {"action": "card", "digital_consent": "on"})["Location"]

    assert second != first
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert fake_stripe.sessions[order.stripe_session_id]["status"] == "open"
    keys = [r.header("Idempotency-Key") for r in fake_stripe.session_requests()]
    assert len(set(keys)) == 2


def test_the_form_cannot_mail_one_address_without_limit(client, catalog, fake_stripe, settings, run_tasks):
    settings.PAYMENT_REQUEST_LIMIT_PER_PAYER = 2
    statuses = [send_request(client, quantity=n)[0].status_code for n in (2, 3, 4)]

    assert statuses == [303, 303, 429]
    assert PaymentRequest.objects.count() == 2
    run_tasks()
    assert len([m for m in mail.outbox if m.to == ["max@studio.example"]]) == 2


def test_a_link_scanner_opening_the_page_does_not_mark_it_viewed(client, catalog, fake_stripe, run_tasks):
    _, request = send_request(client)
    run_tasks()
    link = payer_link()

    client.get(link)  # a mail scanner: no Fetch Metadata
    request.refresh_from_db()
    assert request.state == State.SENT

    client.get(link, headers={"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"})
    request.refresh_from_db()
    assert request.state == State.VIEWED
    assert request.viewed_at is not None
