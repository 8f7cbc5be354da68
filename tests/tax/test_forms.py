"""VAT numbers on the forms that take one ("My company pays" on the review page, the payer's bill-to
details): a malformed or foreign-format number gets a plain message and changes nothing; a good one is
stored normalised and checked with the registry as soon as the request is made."""

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from checkout.models import Order
from invoicing import tax_ids
from invoicing.bill_to import BillTo, confirm_details
from invoicing.forms import PayerDetailsForm
from invoicing.models import PaymentRequest
from tax.models import TaxIdCheck
from tests.checkout.conftest import run_ready_tasks
from tests.checkout.payreq_helpers import fresh_request_throttle, payer_link, send_request  # noqa: F401  (autouse fixture)

CHECK_TASK = tax_ids.check_request_tax_id.module_path


@pytest.mark.parametrize(
    ("country", "tax_id", "message"),
    [
        ("DE", "DE12345", "A German VAT number is DE followed by 9 digits."),
        ("DE", "FR40303265045", "This looks like a French VAT number (FR), but the billing country is DE."),
        ("US", "DE136695976", "This looks like a German VAT number, but the billing country is US."),
        ("NL", "NL004495445C01", "A Dutch VAT number is NL followed by 9 digits, the letter B and 2 digits."),
        ("GB", "GB１２３", "A UK VAT number is GB followed by 9 or 12 digits"),
    ],
)
def test_a_malformed_number_is_refused_on_the_request_form_and_changes_nothing(
    client, catalog, fake_stripe, country, tax_id, message
):
    orders_before = Order.objects.count()

    response, request = send_request(client, billing_country=country, tax_id=tax_id)

    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert request is None
    assert Order.objects.count() == orders_before
    assert TaxIdCheck.objects.count() == 0
    assert mail.outbox == []


def test_a_good_number_is_stored_normalised_and_checked_at_once(client, catalog, fake_stripe):
    response, request = send_request(client, billing_country="de", tax_id="de 136.695.976")

    assert response.status_code == 303
    assert request.tax_id == "DE136695976"
    assert request.order.tax_ids == "DE136695976"
    check = TaxIdCheck.objects.get()
    assert (check.purpose, check.subject_id, check.number) == ("payment_request", request.pk, "DE136695976")
    assert DBTaskResult.objects.filter(task_path=CHECK_TASK).count() == 1


def test_a_us_tax_id_is_kept_as_typed_and_not_sent_to_a_vat_registry(client, catalog, fake_stripe):
    response, request = send_request(client, billing_country="US", tax_id=" 12-3456789 ")

    assert response.status_code == 303
    assert request.tax_id == "12-3456789"
    assert TaxIdCheck.objects.count() == 0


def test_a_rejected_request_number_flags_the_order_and_tells_accounts_payable(client, catalog, fake_stripe):
    _, request = send_request(client, billing_country="DE", tax_id="DE136695000")
    check = TaxIdCheck.objects.get()
    mail.outbox.clear()

    assert tax_ids.check_request_tax_id.call(check.pk) == "invalid"
    tax_ids.check_request_tax_id.call(check.pk)
    tax_ids.send_request_tax_id_rejected.call(check.pk)
    tax_ids.send_request_tax_id_rejected.call(check.pk)

    order = Order.objects.get(pk=request.order_id)
    assert order.needs_review
    assert "VAT number DE136695000 of the payment request" in order.review_reason
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["max@studio.example"]
    assert set(message.cc) == {"ap@studio.example", "dana@studio.example"}
    assert "DE136695000" in message.body and "did not confirm" in message.body
    assert "DE136695000" in message.alternatives[0][0]


def test_a_registered_request_number_flags_nothing(client, catalog, fake_stripe):
    _, request = send_request(client, billing_country="GB", tax_id="GB123456789")

    tax_ids.check_request_tax_id.call(TaxIdCheck.objects.get().pk)

    assert not Order.objects.get(pk=request.order_id).needs_review
    assert (
        DBTaskResult.objects.filter(task_path=tax_ids.send_request_tax_id_rejected.module_path).count() == 0
    )


BILL_TO = {
    "company_name": "Studio GmbH",
    "address_line1": "Hauptstr. 1",
    "city": "Berlin",
    "billing_country": "DE",
}


@pytest.mark.parametrize(
    ("tax_id", "error"),
    [
        ("DE1234567890", "A German VAT number is DE followed by 9 digits."),
        ("ATU13585627", "This looks like an Austrian VAT number (AT), but the billing country is DE."),
        ("DE" + "1" * 70, "at most 60 characters"),
    ],
)
def test_the_payers_bill_to_form_refuses_a_malformed_number(tax_id, error):
    form = PayerDetailsForm(data={**BILL_TO, "tax_id": tax_id})

    assert not form.is_valid()
    assert error in form.errors["tax_id"][0]


def test_the_payers_bill_to_form_normalises_a_good_number():
    form = PayerDetailsForm(data={**BILL_TO, "tax_id": "136 695 976"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["tax_id"] == "DE136695976"


def test_a_corrected_number_from_the_payer_is_checked_again(client, catalog, fake_stripe):
    _, request = send_request(client, billing_country="DE", tax_id="DE136695000")
    confirm_details(request.pk, BillTo(**BILL_TO, tax_id="DE136695976"))

    assert sorted(TaxIdCheck.objects.values_list("number", flat=True)) == ["DE136695000", "DE136695976"]
    assert DBTaskResult.objects.filter(task_path=CHECK_TASK).count() == 2
    assert PaymentRequest.objects.get(pk=request.pk).tax_id == "DE136695976"


PAYER_BILL_TO = {
    "action": "details",
    "billto-company_name": "Studio GmbH",
    "billto-address_line1": "Hauptstr. 1",
    "billto-city": "Berlin",
    "billto-billing_country": "de",
}


def test_the_payers_page_refuses_a_foreign_number_and_saves_nothing(client, catalog, fake_stripe):
    _, request = send_request(client)
    run_ready_tasks()

    response = client.post(payer_link(), {**PAYER_BILL_TO, "billto-tax_id": "NL004495445B01"})

    assert response.status_code == 400
    assert (
        "This looks like a Dutch VAT number (NL), but the billing country is DE." in response.content.decode()
    )
    request.refresh_from_db()
    assert (request.company_name, request.tax_id, request.details_confirmed_at) == ("Studio Ltd", "", None)
    assert TaxIdCheck.objects.count() == 0


def test_the_payers_page_saves_a_good_number_normalised_and_checks_it(client, catalog, fake_stripe):
    _, request = send_request(client)
    run_ready_tasks()

    response = client.post(payer_link(), {**PAYER_BILL_TO, "billto-tax_id": "136 695 976"})

    assert response.status_code == 303
    request.refresh_from_db()
    assert request.tax_id == "DE136695976" and request.order.tax_ids == "DE136695976"
    assert TaxIdCheck.objects.get().number == "DE136695976"
