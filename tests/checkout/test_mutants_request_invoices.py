"""Issue 34's mutants of a payment request's invoice: converging on it (invoicing.converge,
invoicing.invoice_state, invoicing.cash; once checkout/request_invoices.py) and making it
(invoicing.issuing; once checkout/invoice_issuing.py). Each test fails with the named mutant applied."""

import copy

import pytest
from django.db.models import F
from django.utils import timezone

from checkout.models import Order
from checkout.stripe_gateway import fetch_invoice
from checkout.stripe_values import invoice_links, stripe_page_url
from invoicing.converge import converge_request_invoice, sync_open_requests
from invoicing.models import PaymentRequest
from payments.models import Payment
from tests.checkout.payreq_helpers import (  # noqa: F401  (the fixture: autouse)
    deliver_new_events,
    fresh_request_throttle,
    payer_link,
    send_request,
)

pytestmark = pytest.mark.django_db

State = PaymentRequest.State


def invoice_chosen(client, run_tasks, **fields) -> PaymentRequest:
    """A request whose payer asked for an invoice, with the invoice task run."""
    _, request = send_request(client, **fields)
    run_tasks()
    client.post(payer_link(), {"action": "invoice"})
    run_tasks()
    request.refresh_from_db()
    return request


@pytest.fixture
def issued(client, catalog, fake_stripe, run_tasks) -> PaymentRequest:
    request = invoice_chosen(client, run_tasks)
    assert request.state == State.ISSUED
    return request


def test_links_that_are_not_https_are_never_stored_on_the_request_or_its_order(issued, fake_stripe):
    """Kills issue-34 mutant: invoicing/invoice_state (request_invoices) invoice links stored without the
    https check (36). The rule is one function, checkout.stripe_values.stripe_page_url, that the order's
    invoice (payments.invoices) and the request's both use."""
    PaymentRequest.objects.filter(pk=issued.pk).update(invoice_url="", invoice_pdf_url="")
    Order.objects.filter(pk=issued.order_id).update(invoice_url="", invoice_pdf_url="")
    invoice = copy.deepcopy(fake_stripe.invoices[issued.stripe_invoice_id])
    invoice.update(hosted_invoice_url="http://pay.example/i/1", invoice_pdf="javascript:alert(1)//https://")

    converge_request_invoice(invoice, source="webhook")

    issued.refresh_from_db()
    order = Order.objects.get(pk=issued.order_id)
    assert (issued.invoice_url, issued.invoice_pdf_url) == ("", "")
    assert (order.invoice_url, order.invoice_pdf_url) == ("", "")
    assert stripe_page_url(" https://invoice.stripe.com/i/x\n") == "https://invoice.stripe.com/i/x"
    assert invoice_links({"hosted_invoice_url": "https://a.example/", "invoice_pdf": "ftp://b"}) == {
        "invoice_url": "https://a.example/"
    }


def test_an_invoice_finalized_after_its_request_ended_is_voided(issued, fake_stripe, run_tasks):
    """Kills issue-34 mutant: invoicing/converge an invoice finalized after its request ended not voided
    (89)."""
    PaymentRequest.objects.filter(pk=issued.pk).update(state=State.CLOSED, end_reason="paid another way")

    converge_request_invoice(fetch_invoice(issued.stripe_invoice_id), source="webhook")
    run_tasks()

    assert fake_stripe.invoices[issued.stripe_invoice_id]["status"] == "void"
    assert PaymentRequest.objects.get(pk=issued.pk).state == State.CLOSED


def test_an_invoice_paid_after_a_card_payment_is_flagged_not_a_second_payment(issued, fake_stripe, run_tasks):
    """Kills issue-34 mutant: invoicing/invoice_state an invoice paid after a card payment recorded as a
    second, unflagged payment (125)."""
    order = issued.order
    card = Payment.objects.create(
        order=order,
        stripe_session_id="cs_test_card_first",
        stripe_payment_intent_id="pi_test_card_first",
        status=Payment.Status.SUCCEEDED,
        amount_cents=order.total_cents,
        currency=order.currency,
        paid_at=timezone.now(),
    )
    invoice = fake_stripe.invoices[issued.stripe_invoice_id]
    fake_stripe.fund_cash_balance(invoice["customer"], invoice["amount_due"])
    assert fake_stripe.invoices[issued.stripe_invoice_id]["status"] == "paid"

    converge_request_invoice(fetch_invoice(issued.stripe_invoice_id), source="webhook")
    run_tasks()

    order.refresh_from_db()
    assert list(order.payments.all()) == [card]
    assert order.needs_review
    assert "already been paid another way" in order.review_reason


def test_an_overpaid_invoice_is_flagged_from_its_invoice_events_alone(
    issued, fake_stripe, run_tasks, deliver_event
):
    """Kills issue-34 mutant: invoicing/invoice_state the cash balance not refreshed after payment, so an
    overpayment goes unseen (146). Only the invoice's own events are delivered: the balance event may come
    first (before the payment is known) or never."""
    invoice = fake_stripe.invoices[issued.stripe_invoice_id]
    fake_stripe.fund_cash_balance(invoice["customer"], invoice["amount_due"] + 500)

    deliver_new_events(fake_stripe, deliver_event, set(), types=("invoice.",))
    run_tasks()

    issued.refresh_from_db()
    order = Order.objects.get(pk=issued.order_id)
    assert issued.state == State.PAID and order.status == Order.Status.PAID
    assert issued.cash_balance_cents == 500
    assert order.needs_review and "Overpaid: $5" in order.review_reason


def test_a_short_bank_transfer_is_recorded_and_not_flagged_as_an_overpayment(
    issued, fake_stripe, run_tasks, deliver_event
):
    """Kills issue-34 mutant: invoicing/cash a short transfer flagged as an overpayment (201)."""
    invoice = fake_stripe.invoices[issued.stripe_invoice_id]
    fake_stripe.fund_cash_balance(invoice["customer"], invoice["amount_due"] - 500)

    deliver_new_events(fake_stripe, deliver_event, set(), types=("invoice.", "customer_cash_balance"))
    run_tasks()

    issued.refresh_from_db()
    order = Order.objects.get(pk=issued.order_id)
    assert issued.state == State.ISSUED and order.status == Order.Status.PENDING
    assert issued.cash_balance_cents == invoice["amount_due"] - 500
    assert not order.needs_review and "Overpaid" not in order.review_reason


def test_reconcile_finishes_a_request_whose_invoice_task_died_while_preparing(issued, fake_stripe):
    """Kills issue-34 mutant: invoicing/converge reconcile skipping requests whose invoice task died while
    preparing (170). The task finalized the invoice at Stripe and died before recording it."""
    PaymentRequest.objects.filter(pk=issued.pk).update(state=State.PREPARING, issued_at=None)

    lines = list(sync_open_requests())

    assert PaymentRequest.objects.get(pk=issued.pk).state == State.ISSUED
    assert lines == [f"{issued.order.reference}: payment request preparing -> issued"]


def test_a_draft_whose_total_differs_from_the_order_is_not_finalized(client, catalog, fake_stripe, run_tasks):
    """Kills issue-34 mutant: invoicing/issuing a draft finalized although its total differs from the order
    (227). Since Stripe Tax adds tax to the invoice, the check is on the amount before tax."""
    _, request = send_request(client)
    run_tasks()
    Order.objects.filter(pk=request.order_id).update(subtotal_cents=F("subtotal_cents") + 1)
    client.post(payer_link(), {"action": "invoice"})
    run_tasks()

    request.refresh_from_db()
    (invoice,) = fake_stripe.invoices.values()
    assert invoice["status"] == "draft"
    assert request.state == State.VIEWED and request.problem
    order = Order.objects.get(pk=request.order_id)
    assert order.needs_review and "not finalized" in order.review_reason


def test_a_tax_id_stripe_refuses_goes_on_the_invoice_and_not_on_the_retried_customer(
    client, catalog, fake_stripe, run_tasks
):
    """Kills issue-34 mutant: invoicing/issuing a retry without a refused tax ID still sending it (105).
    The sandbox refuses a US EIN of the wrong length, as Stripe does (`tax_id_invalid`); an EU VAT number
    without its prefix no longer reaches Stripe: the form adds the prefix (tax.formats)."""
    request = invoice_chosen(client, run_tasks, billing_country="US", tax_id="12345")

    assert request.state == State.ISSUED
    customer_posts = [r for r in fake_stripe.requests if r.method == "POST" and r.path == "/v1/customers"]
    assert len(customer_posts) == 2
    assert "tax_id_data" in str(customer_posts[0].form) and "tax_id_data" not in str(customer_posts[1].form)
    (customer,) = fake_stripe.customers.values()
    assert customer["_tax_ids"] == []
    (invoice,) = fake_stripe.invoices.values()
    assert {"name": "Tax ID", "value": "12345"} in invoice["custom_fields"]


def test_a_request_invoice_never_replaces_the_invoice_of_an_order_paid_by_card(
    issued, fake_stripe, run_tasks
):
    """Found while applying mutant 125: an order paid by card (its Checkout Session's own invoice stored on
    it) whose request's invoice is converged afterwards, still open (not yet voided) or paid, keeps its
    card invoice: the order's invoice links are the invoice that paid it."""
    order = issued.order
    Payment.objects.create(
        order=order,
        stripe_session_id="cs_test_card_first",
        stripe_payment_intent_id="pi_test_card_first",
        status=Payment.Status.SUCCEEDED,
        amount_cents=order.total_cents,
        currency=order.currency,
        paid_at=timezone.now(),
    )
    card_invoice = {
        "invoice_id": "in_test_card_session",
        "invoice_number": "CARD-0001",
        "invoice_url": "https://invoice.stripe.com/i/card",
        "invoice_pdf_url": "https://pay.stripe.com/invoice/card/pdf",
    }
    Order.objects.filter(pk=order.pk).update(**card_invoice)

    converge_request_invoice(fetch_invoice(issued.stripe_invoice_id), source="webhook")
    invoice = fake_stripe.invoices[issued.stripe_invoice_id]
    fake_stripe.fund_cash_balance(invoice["customer"], invoice["amount_due"])
    converge_request_invoice(fetch_invoice(issued.stripe_invoice_id), source="webhook")

    order.refresh_from_db()
    assert {name: getattr(order, name) for name in card_invoice} == card_invoice
    assert order.needs_review
