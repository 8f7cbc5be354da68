"""Every value a buyer or payer types that we pass to Stripe fits what Stripe accepts: at its limit it goes
through (the fake Stripe refuses longer strings, as Stripe does), one character more is refused on our form
with a message naming the field, and no order is made or Stripe asked. Each limit is one rule
(checkout.stripe_limits) that the forms, the models, the page and the request builders read."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from checkout.forms import BuyForm
from checkout.models import Order
from checkout.stripe_limits import (
    COMPANY_NAME_MAX,
    CUSTOM_FIELD_VALUE_MAX,
    CUSTOMER_NAME_MAX,
    PO_NUMBER_MAX,
    TAX_ID_MAX,
    invoice_custom_field,
)
from invoicing.forms import PaymentRequestForm
from invoicing.models import PaymentRequest
from tests.checkout.payreq_helpers import fresh_request_throttle, payer_link, send_request  # noqa: F401
from tests.stripe_fake import parameter_problems

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("key", "limit"),
    [
        ("invoice_creation[invoice_data][custom_fields][0][value]", 140),
        ("invoice_creation[invoice_data][custom_fields][0][name]", 40),
        ("metadata[order_reference]", 500),
    ],
)
def test_the_fake_stripe_refuses_a_string_longer_than_stripe_accepts(key, limit):
    at_limit = urlencode({"mode": "payment", key: "x" * limit})
    beyond = urlencode({"mode": "payment", key: "x" * (limit + 1)})

    def too_long(body: str) -> list[str]:  # the body lacks required parameters: not what is checked here
        return [problem for problem in parameter_problems(body) if "at most" in problem]

    assert too_long(at_limit) == []
    assert f"must be at most {limit} characters" in " ".join(too_long(beyond))


def test_the_fake_stripe_refuses_a_customer_name_or_email_longer_than_stripe_accepts():
    from stripe.params._customer_create_params import CustomerCreateParams

    assert parameter_problems(urlencode({"name": "x" * 256}), CustomerCreateParams) == []
    assert parameter_problems(urlencode({"name": "x" * 257}), CustomerCreateParams)
    assert parameter_problems(urlencode({"email": "x" * 513}), CustomerCreateParams)
    assert parameter_problems(urlencode({"metadata[" + "k" * 41 + "]": "v"}), CustomerCreateParams)


def test_a_po_number_at_stripes_limit_goes_to_stripe_and_one_character_more_is_refused(
    client, catalog, fake_stripe
):
    start = reverse("checkout:start")
    client.get(reverse("checkout:review", kwargs={"slug": "bundle"}))

    at_limit = client.post(
        start,
        {"digital_consent": "on", "product": "bundle", "quantity": "2", "po_number": "P" * PO_NUMBER_MAX},
    )
    assert at_limit.status_code == 303 and at_limit["Location"].startswith("https://checkout.stripe.com/")
    sent = fake_stripe.session_requests()[-1].form["invoice_creation"]["invoice_data"]["custom_fields"]
    assert sent == [{"name": "PO number", "value": "P" * PO_NUMBER_MAX}]

    client.cookies.clear()
    beyond = client.post(
        start,
        {"digital_consent": "on", "product": "bundle", "quantity": "2", "po_number": "P" * 5000},
        follow=True,
    )
    page = beyond.content.decode()
    assert f"A PO number or cost centre can be at most {PO_NUMBER_MAX} characters." in page
    assert 'aria-invalid="true"' in page
    assert Order.objects.count() == 1
    assert len(fake_stripe.session_requests()) == 1


# The payment request's fields that reach Stripe: the PO number and tax ID (custom fields of the invoice,
# the tax ID also as the customer's), the company (the customer's name).
REQUEST_LIMITS = [
    ("po_number", PO_NUMBER_MAX, "A PO number or cost centre can be at most"),
    ("company_name", COMPANY_NAME_MAX, "The company name can be at most"),
    ("tax_id", TAX_ID_MAX, "A tax ID can be at most"),
]


@pytest.mark.parametrize(("field", "limit", "message"), REQUEST_LIMITS)
def test_a_payment_request_field_beyond_its_limit_is_refused_with_a_message_naming_it(
    client, catalog, fake_stripe, field, limit, message
):
    response, request = send_request(client, **{field: "A" * 5000})

    assert response.status_code == 400
    assert f"{message} {limit} characters" in response.content.decode()
    assert request is None
    assert fake_stripe.requests == []


# A tax ID of A's fits no type's format: Stripe refuses it on the customer (US: an EIN), so it goes on the
# invoice, as a tax ID of a type the shop does not send (BR) always does.
@pytest.mark.parametrize("country", ["US", "BR"])
def test_a_payment_request_with_every_field_at_its_limit_is_invoiced_by_stripe(
    client, catalog, fake_stripe, run_tasks, country
):
    fields = {field: "A" * limit for field, limit, _ in REQUEST_LIMITS}
    response, request = send_request(client, billing_country=country, **fields)
    assert response.status_code == 303
    run_tasks()
    client.post(payer_link(), {"action": "invoice"})

    run_tasks()

    request.refresh_from_db()
    assert request.problem == "" and request.stripe_invoice_id  # Stripe took the customer and the invoice
    (invoice,) = fake_stripe.invoices.values()
    assert {"name": "PO number", "value": "A" * PO_NUMBER_MAX} in invoice["custom_fields"]
    (customer,) = fake_stripe.customers.values()
    assert customer["name"] == "A" * COMPANY_NAME_MAX
    assert customer["_tax_ids"] == []
    assert {"name": "Tax ID", "value": "A" * TAX_ID_MAX} in invoice["custom_fields"]


def test_each_limit_is_one_rule_within_stripes():
    buy_po = BuyForm().fields["po_number"]
    request_form = PaymentRequestForm()

    assert buy_po.max_length == PO_NUMBER_MAX == CUSTOM_FIELD_VALUE_MAX
    assert buy_po.widget.attrs["maxlength"] == str(PO_NUMBER_MAX)
    assert request_form.fields["po_number"].max_length == PO_NUMBER_MAX
    assert Order._meta.get_field("po_number").max_length == PO_NUMBER_MAX
    assert PaymentRequest._meta.get_field("po_number").max_length == PO_NUMBER_MAX
    for field, limit in (("company_name", COMPANY_NAME_MAX), ("tax_id", TAX_ID_MAX)):
        assert request_form.fields[field].max_length == limit
        assert PaymentRequest._meta.get_field(field).max_length == limit
    assert COMPANY_NAME_MAX <= CUSTOMER_NAME_MAX and TAX_ID_MAX <= CUSTOM_FIELD_VALUE_MAX
    with pytest.raises(ValueError, match="longer than Stripe accepts"):
        invoice_custom_field("PO number", "P" * (CUSTOM_FIELD_VALUE_MAX + 1))


def test_the_review_page_limits_the_po_field_to_the_same_rule(client, catalog, fake_stripe):
    page = client.get(reverse("checkout:review", kwargs={"slug": "bundle"})).content.decode()

    assert f'name="po_number" id="id_po_number" maxlength="{PO_NUMBER_MAX}"' in page
