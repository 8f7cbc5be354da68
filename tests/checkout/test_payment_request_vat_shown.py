"""The payer is told VAT may be added before paying (the request email, its subject and the payer's page),
and after paying sees the subtotal, the VAT and the total Stripe charged, from the figures on the order."""

import html

from django.core import mail

from catalog.money import format_money
from catalog.tax_codes import price_note
from checkout.models import Order
from tests.checkout.payreq_helpers import (
    deliver_new_events,
    fresh_request_throttle,  # noqa: F401  (the fixture: autouse)
    payer_link,
    send_request,
)


def test_the_request_email_and_the_payers_page_say_vat_may_be_added(client, catalog, run_tasks, settings):
    note = price_note(settings.TAX_BEHAVIOR)
    _, request = send_request(client, slug="level-i", quantity=2)
    run_tasks()
    order = Order.objects.get(pk=request.order_id)
    total = format_money(order.total_cents, order.currency)

    (email,) = [m for m in mail.outbox if m.to == ["max@studio.example"]]
    assert f"{total} {note}" in email.subject
    assert f"Total: {total} {note}" in email.body
    assert f"Total: {total}</strong> {note}" in html.unescape(email.alternatives[0][0])
    page = html.unescape(client.get(payer_link()).content.decode())
    assert f"Total: <strong>{total}</strong> {note}" in page


def test_the_paid_payers_page_shows_subtotal_vat_and_total_paid(
    client, catalog, fake_stripe, run_tasks, deliver_event, settings
):
    _, request = send_request(client, slug="level-i", quantity=2, billing_country="GB")
    run_tasks()
    link = payer_link()
    client.post(link, {"action": "invoice"})
    run_tasks()
    request.refresh_from_db()
    fake_stripe.pay_invoice(request.stripe_invoice_id)
    deliver_new_events(fake_stripe, deliver_event, set())
    run_tasks()
    order = Order.objects.get(pk=request.order_id)
    assert order.status == Order.Status.PAID and order.tax_cents > 0

    page = html.unescape(client.get(link).content.decode())

    assert f"<dt>Subtotal</dt><dd>{format_money(order.subtotal_cents, order.currency)}</dd>" in page
    assert f"<dt>VAT (GB)</dt><dd>{format_money(order.tax_cents, order.currency)}</dd>" in page
    assert (
        f"<dt>Total paid</dt><dd><strong>{format_money(order.total_cents, order.currency)}</strong>" in page
    )
    assert price_note(settings.TAX_BEHAVIOR) not in page.split("What is being bought")[1].split("<dl>")[0]


def test_the_payer_back_from_paying_by_card_is_spoken_to_as_the_payer(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    from django.test import Client

    from tests.checkout.conftest import completed_event

    _, request = send_request(client)
    run_tasks()
    payer = Client()
    assert payer.post(payer_link(), {"action": "card", "digital_consent": "on"}).status_code == 303
    order = Order.objects.get(pk=request.order_id)
    deliver_event(completed_event(fake_stripe, order, email="max@studio.example", name="Max Manager"))

    page = html.unescape(payer.get("/checkout/success/", {"session_id": order.stripe_session_id}).text)

    assert "Thank you: this payment has been received" in page
    assert "on its way to your email address" in page and "the payer's email" not in page
