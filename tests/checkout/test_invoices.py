"""Employer-ready purchases: every Checkout Session asks Stripe for an invoice with our reference, footer and
the buyer's PO number; the invoice, company, tax IDs and country land on the order and where buyers look."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from checkout import services
from checkout.models import Order
from finance.export import ExportFilter, csv_stream
from tests.checkout.conftest import completed_event
from tests.finance.conftest import read_csv
from tests.stripe_fake import make_event


@pytest.fixture
def order(catalog, client, buy):
    client.get(reverse("checkout:review", kwargs={"slug": "level-i"}))  # the browser's checkout cookie
    response, order = buy("level-i", 2)
    assert response.status_code == 303
    return order


def test_the_session_asks_for_an_invoice_tax_ids_and_a_billing_address(order, fake_stripe, settings):
    form = fake_stripe.session_requests()[-1].form

    assert form["invoice_creation"]["enabled"] == "true"
    invoice_data = form["invoice_creation"]["invoice_data"]
    assert invoice_data["description"] == f"CPMA order {order.reference}"
    assert invoice_data["metadata"] == {"order_reference": order.reference}
    assert invoice_data["footer"] == settings.INVOICE_FOOTER
    assert "custom_fields" not in invoice_data  # no PO number given
    assert form["tax_id_collection"] == {"enabled": "true"}
    assert form["billing_address_collection"] == "required"
    assert form["name_collection"] == {"business": {"enabled": "true", "optional": "true"}}


def test_a_po_number_is_printed_on_the_invoice_and_kept_on_the_order(catalog, fake_stripe):
    started = services.start_checkout(product=catalog["bundle"], quantity=3, po_number="PO-4471 / Post dept")

    invoice_data = fake_stripe.session_requests()[-1].form["invoice_creation"]["invoice_data"]
    assert invoice_data["custom_fields"] == [{"name": "PO number", "value": "PO-4471 / Post dept"}]
    assert started.order.po_number == "PO-4471 / Post dept"


def test_a_paid_order_shows_its_invoice_on_the_success_page_in_the_email_admin_and_csv(
    order, client, fake_stripe, deliver_event, admin_client
):
    tax_ids = [{"type": "eu_vat", "value": "DE123456789"}]
    deliver_event(
        completed_event(fake_stripe, order, business_name="Northlight Films", tax_ids=tax_ids, country="de")
    )
    invoice = fake_stripe.invoice_for(order.stripe_session_id)
    order.refresh_from_db()

    assert (order.invoice_number, order.invoice_pdf_url) == (invoice["number"], invoice["invoice_pdf"])
    assert (order.company_name, order.tax_ids, order.billing_country) == (
        "Northlight Films",
        "eu_vat DE123456789",
        "DE",
    )
    success = client.get(
        reverse("checkout:success"), {"session_id": order.stripe_session_id}
    ).content.decode()
    assert "Download invoice (PDF)" in success and invoice["invoice_pdf"] in success
    (message,) = mail.outbox
    assert invoice["invoice_pdf"] in message.body
    assert "Northlight Films" in message.body and "DE123456789" in message.body
    assert invoice["invoice_pdf"] in message.alternatives[0][0]
    admin_page = admin_client.get(reverse("admin:checkout_order_change", args=[order.pk])).content.decode()
    assert invoice["number"] in admin_page and "Northlight Films" in admin_page
    (row,) = read_csv("".join(csv_stream(ExportFilter())))
    assert (row["invoice_number"], row["company_name"], row["billing_country"]) == (
        invoice["number"],
        "Northlight Films",
        "DE",
    )


def test_a_refund_shows_next_to_the_invoice_with_its_date(order, client, fake_stripe, deliver_event):
    deliver_event(completed_event(fake_stripe, order))
    deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id, amount=1470)))

    page = client.get(reverse("checkout:success"), {"session_id": order.stripe_session_id}).content.decode()

    assert "Download invoice (PDF)" in page
    assert "Refunded $14.70 on" in page


def test_no_invoice_from_stripe_breaks_neither_the_page_nor_the_email(
    order, client, fake_stripe, deliver_event
):
    fake_stripe.sessions[order.stripe_session_id]["_invoice_creation"] = {}  # Stripe made no invoice

    deliver_event(completed_event(fake_stripe, order))

    page = client.get(reverse("checkout:success"), {"session_id": order.stripe_session_id})
    assert page.status_code == 200
    assert "Download invoice" not in page.content.decode()
    assert "being prepared" in page.content.decode()
    (message,) = mail.outbox
    assert "Invoice" not in message.body


def test_an_invoice_event_fills_in_an_invoice_made_after_the_completion(order, fake_stripe, deliver_event):
    creation = fake_stripe.sessions[order.stripe_session_id]["_invoice_creation"]
    fake_stripe.sessions[order.stripe_session_id]["_invoice_creation"] = {}
    deliver_event(completed_event(fake_stripe, order))
    assert Order.objects.get(pk=order.pk).invoice_number == ""

    with fake_stripe._lock:
        session = fake_stripe.sessions[order.stripe_session_id]
        session["_invoice_creation"] = creation
        fake_stripe._invoice(session)
    deliver_event(make_event("invoice.paid", fake_stripe.invoice_for(order.stripe_session_id)))

    order.refresh_from_db()
    assert order.invoice_number.startswith("CPMA")
    assert order.history.filter(kind="invoice").exists()


def test_hostile_invoice_links_and_tax_ids_are_not_stored_as_links(order, fake_stripe, deliver_event):
    tax_ids = [{"type": "eu_vat\x00", "value": "X" * 5000}]
    deliver_event(completed_event(fake_stripe, order, tax_ids=tax_ids, business_name="A\nB" * 1000))
    invoice_id = fake_stripe.sessions[order.stripe_session_id]["invoice"]
    fake_stripe.invoices[invoice_id]["invoice_pdf"] = "javascript:alert(1)"

    deliver_event(make_event("invoice.paid", fake_stripe.invoices[invoice_id]))

    order.refresh_from_db()
    assert len(order.tax_ids) <= 500 and "\x00" not in order.tax_ids
    assert "\n" not in order.company_name and len(order.company_name) <= 200
    assert order.invoice_pdf_url.startswith("https://")


def test_the_review_page_form_carries_the_po_number_to_the_invoice(catalog, client, fake_stripe):
    client.get(reverse("checkout:review", kwargs={"slug": "bundle"}))

    response = client.post(
        reverse("checkout:start"),
        {"digital_consent": "on", "product": "bundle", "quantity": "4", "po_number": "  PO  77-B  "},
    )

    assert response.status_code == 303
    order = Order.objects.get()
    assert order.po_number == "PO 77-B"
    invoice_data = fake_stripe.session_requests()[-1].form["invoice_creation"]["invoice_data"]
    assert invoice_data["custom_fields"] == [{"name": "PO number", "value": "PO 77-B"}]


def test_a_too_long_po_number_goes_back_to_the_review_page_with_the_error(catalog, client, fake_stripe):
    response = client.post(
        reverse("checkout:start"),
        {"digital_consent": "on", "product": "bundle", "quantity": "2", "po_number": "P" * 141},
        follow=True,
    )

    page = response.content.decode()
    assert response.redirect_chain[0][1] == 303
    assert "at most 140 characters" in page and 'aria-invalid="true"' in page
    assert Order.objects.count() == 0


def test_after_paying_the_review_page_says_so_and_links_to_the_order(
    order, client, fake_stripe, deliver_event
):
    deliver_event(completed_event(fake_stripe, order))

    page = client.get(reverse("checkout:review", kwargs={"slug": "level-i"})).content.decode()
    stranger = Client().get(reverse("checkout:review", kwargs={"slug": "level-i"})).content.decode()

    assert "You bought" in page
    assert order.reference in page and order.stripe_session_id in page
    assert order.reference not in stranger


def test_the_purchases_page_links_the_invoice_and_shows_refunds(order, fake_stripe, deliver_event, client):
    from django.core.cache import cache

    from tests.access.conftest import sign_in_link_for
    from tests.checkout.conftest import run_ready_tasks

    cache.clear()
    deliver_event(completed_event(fake_stripe, order, email="lead@example.com"))
    deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id, amount=500)))
    client.post("/purchases/", {"email": "lead@example.com"})
    run_ready_tasks()
    client.post(sign_in_link_for("lead@example.com"))

    page = client.get("/purchases/").content.decode()

    assert fake_stripe.invoice_for(order.stripe_session_id)["invoice_pdf"] in page
    assert "Refunded $5 on" in page
