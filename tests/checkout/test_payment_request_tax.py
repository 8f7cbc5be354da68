"""Stripe Tax on a payment request's invoice: the invoice asks for it, each item carries its tax code and
tax behaviour, and the tax Stripe puts on the finalized invoice is the order's, so the paid invoice is
checked against the total with tax."""

from checkout.models import Order
from invoicing.models import PaymentRequest
from tests.checkout.payreq_helpers import deliver_new_events, payer_link, send_request


def issue(client, run_tasks, **fields) -> PaymentRequest:
    _, request = send_request(client, slug="level-i", quantity=2, **fields)
    run_tasks()
    client.post(payer_link(), {"action": "invoice"})
    run_tasks()
    request.refresh_from_db()
    assert request.state == PaymentRequest.State.ISSUED
    return request


def test_the_invoice_and_its_items_ask_for_stripe_tax(client, catalog, fake_stripe, run_tasks):
    issue(client, run_tasks)

    invoice_post = next(r for r in fake_stripe.requests if r.method == "POST" and r.path == "/v1/invoices")
    item_post = next(r for r in fake_stripe.requests if r.path == "/v1/invoiceitems")
    assert invoice_post.form["automatic_tax"] == {"enabled": "true"}
    assert (item_post.form["tax_behavior"], item_post.form["tax_code"]) == ("exclusive", "txcd_20060158")


def test_a_uk_company_without_a_vat_number_owes_vat_and_paying_it_pays_the_order(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    request = issue(client, run_tasks, billing_country="GB")
    order = Order.objects.get(pk=request.order_id)

    assert (order.subtotal_cents, order.tax_cents, order.total_cents) == (29400, 5880, 35280)
    assert order.taxability_reason == "standard_rated" and not order.needs_review
    assert order.history.filter(kind="tax", message__contains="$58.80").exists()
    fake_stripe.pay_invoice(request.stripe_invoice_id)
    deliver_new_events(fake_stripe, deliver_event, set())
    run_tasks()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and not order.needs_review


def test_a_german_company_with_a_vat_number_gets_the_reverse_charge(client, catalog, fake_stripe, run_tasks):
    request = issue(client, run_tasks, billing_country="DE", tax_id="DE123456789")
    order = Order.objects.get(pk=request.order_id)

    assert (order.tax_cents, order.total_cents, order.taxability_reason) == (0, 29400, "reverse_charge")
    assert order.is_reverse_charge and order.vat_numbers == "DE123456789"


def test_invoice_tax_that_does_not_add_up_flags_the_order_and_records_nothing(db, catalog):
    from payments.tax_amounts import record_invoice_tax
    from tests.factories import make_order

    order = make_order([(catalog["level-i"], 1)], status="pending")
    invoice = {
        "id": "in_test_x",
        "status": "open",
        "subtotal": order.subtotal_cents,
        "total": order.subtotal_cents + 100,
        "total_taxes": [{"amount": 99, "taxability_reason": "standard_rated"}],
    }

    record_invoice_tax(order.pk, invoice, source="test")

    order.refresh_from_db()
    assert order.needs_review and "do not add up" in order.review_reason
    assert (order.tax_cents, order.total_cents) == (0, order.subtotal_cents)


def test_the_payers_receipt_carries_the_invoices_tax_line(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    from django.core import mail

    request = issue(client, run_tasks, billing_country="GB")
    fake_stripe.pay_invoice(request.stripe_invoice_id)
    deliver_new_events(fake_stripe, deliver_event, set())
    run_tasks()

    (receipt,) = [m for m in mail.outbox if m.to == ["max@studio.example"] and "Receipt" in m.subject]
    assert "VAT: $58.80" in receipt.body and "Total paid: $352.80" in receipt.body
    assert "VAT: $58.80" in receipt.alternatives[0][0]
    assert "you ticked" not in receipt.body  # paid against the invoice: no consent asked


def test_the_payers_receipt_of_a_confirmed_reverse_charge_says_so(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    from django.core import mail

    request = issue(client, run_tasks, billing_country="DE", tax_id="DE123456789")
    fake_stripe.pay_invoice(request.stripe_invoice_id)
    deliver_new_events(fake_stripe, deliver_event, set())
    run_tasks()

    (receipt,) = [m for m in mail.outbox if m.to == ["max@studio.example"] and "Receipt" in m.subject]
    assert "Reverse charge: the buyer accounts for VAT. VAT number DE123456789." in receipt.body
    assert "VAT:" not in receipt.body
