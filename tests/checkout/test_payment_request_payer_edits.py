"""Before the invoice is made, accounts payable confirm or correct the bill-to details on the payer's page
(company, street address, tax ID, PO number: what the Stripe customer and invoice then carry), or decline
the request with a reason the buyer is emailed. SELLER_DETAILS left unset is on the launch list."""

import pytest
from django.core import mail

from invoicing.models import PaymentRequest
from tests.checkout.payreq_helpers import fresh_request_throttle, payer_link, send_request  # noqa: F401  (the fixture: autouse)

pytestmark = pytest.mark.django_db

State = PaymentRequest.State

BILL_TO = {
    "action": "details",
    "billto-company_name": "Northlight Studio Inc.",
    "billto-address_line1": "400 Sunset Boulevard",
    "billto-address_line2": "Suite 12",
    "billto-city": "Los Angeles",
    "billto-postal_code": "90028",
    "billto-region": "CA",
    "billto-billing_country": "us",
    "billto-tax_id": "12-3456789",
    "billto-po_number": "PO-9001",
}


def _sent(client, run_tasks):
    _, request = send_request(client)
    run_tasks()
    return request, payer_link()


def test_confirmed_bill_to_details_go_on_the_stripe_customer_and_invoice(
    client, catalog, fake_stripe, run_tasks
):
    request, link = _sent(client, run_tasks)
    assert b"Check or correct the bill-to details" in client.get(link).content

    response = client.post(link, BILL_TO)
    assert response.status_code == 303
    assert fake_stripe.requests == []  # saved here; Stripe hears of it with the invoice
    assert b"Bill-to details saved" in client.get(response["Location"]).content
    client.post(link, {"action": "invoice"})
    run_tasks()

    request.refresh_from_db()
    assert (request.company_name, request.city, request.billing_country) == (
        "Northlight Studio Inc.",
        "Los Angeles",
        "US",
    )
    assert request.details_confirmed_at is not None
    assert request.order.company_name == "Northlight Studio Inc." and request.order.po_number == "PO-9001"
    (invoice,) = [i for i in fake_stripe.invoices.values() if i.get("collection_method") == "send_invoice"]
    customer = fake_stripe.customers[invoice["customer"]]
    assert customer["name"] == "Northlight Studio Inc."
    assert customer["address"] == {
        "line1": "400 Sunset Boulevard",
        "line2": "Suite 12",
        "city": "Los Angeles",
        "postal_code": "90028",
        "state": "CA",
        "country": "US",
    }
    assert {"name": "PO number", "value": "PO-9001"} in invoice["custom_fields"]
    assert any("Bill-to details confirmed" in e.message for e in request.order.history.all())


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("billto-company_name", "", b"This field is required"),
        ("billto-address_line1", "   ", b"This field is required"),
        ("billto-billing_country", "USA", b"two-letter code"),
        ("billto-po_number", "P" * 141, b"at most 140 characters"),
        ("billto-company_name", "C" * 201, b"at most 200 characters"),
    ],
)
def test_bill_to_details_are_validated_and_nothing_is_saved(
    client, catalog, fake_stripe, run_tasks, field, value, error
):
    request, link = _sent(client, run_tasks)

    response = client.post(link, {**BILL_TO, field: value})

    assert response.status_code == 400
    assert error in response.content
    assert b'aria-invalid="true"' in response.content
    request.refresh_from_db()
    assert request.company_name == "Studio Ltd" and request.details_confirmed_at is None


def test_bill_to_details_cannot_change_once_the_invoice_is_on_its_way(
    client, catalog, fake_stripe, run_tasks
):
    request, link = _sent(client, run_tasks)
    client.post(link, {"action": "invoice"})

    client.post(link, BILL_TO)

    request.refresh_from_db()
    assert request.company_name == "Studio Ltd"


def test_the_payer_declines_and_the_buyer_is_told_why(client, catalog, fake_stripe, run_tasks):
    request, link = _sent(client, run_tasks)

    assert client.post(link, {"action": "decline", "decline-reason": ""}).status_code == 400
    response = client.post(link, {"action": "decline", "decline-reason": "No budget left this quarter."})
    assert response.status_code == 303
    run_tasks()

    request.refresh_from_db()
    assert request.state == State.CANCELLED and request.declined
    assert request.end_reason == "declined by the payer"
    (notice,) = [m for m in mail.outbox if m.to == ["dana@studio.example"] and "declined" in m.subject]
    assert "No budget left this quarter." in notice.body
    page = client.get(link).content
    assert b"You declined this request" in page
    assert b"Send us an invoice" not in page
    client.post(link, {"action": "invoice"})
    run_tasks()
    assert fake_stripe.invoices == {}


def test_a_declined_request_closes_the_checkout_page_the_payer_opened(
    client, catalog, fake_stripe, run_tasks
):
    request, link = _sent(client, run_tasks)
    client.post(link, {"action": "card", "digital_consent": "on"})
    session_id = request.order.__class__.objects.get(pk=request.order_id).stripe_session_id

    client.post(link, {"action": "decline", "decline-reason": "Paid from another budget."})
    run_tasks()

    assert fake_stripe.sessions[session_id]["status"] == "expired"


def test_unset_seller_details_need_attention_before_launch(settings):
    from django.core import checks

    settings.SELLER_DETAILS = "Creative Project Management Academy"
    found = [m.id for m in checks.run_checks(tags=["launch"], databases=["default"])]
    assert "site.W003" in found

    settings.SELLER_DETAILS = "Creative Project Management Academy Ltd, 12 Wardour Street, London W1D 6QF"
    found = [m.id for m in checks.run_checks(tags=["launch"], databases=["default"])]
    assert "site.W003" not in found
