"""The sandbox's Stripe Tax: the fixed cases a newcomer sees (UK and German consumers, a German business with
a VAT number, a US buyer), on its payment page and in what the shop records; and the fake holds
`automatic_tax` to the stripe library's own parameter types."""

import pytest
import stripe

from checkout.models import Order
from checkout.stripe_client import stripe_client
from payments.sync import sync_order
from stripe_sandbox import tax
from tests.checkout.conftest import run_ready_tasks
from tests.stripe_sandbox.test_sandbox import page, pay_url

GERMAN_VAT = [{"type": "eu_vat", "value": "DE123456789"}]


@pytest.mark.parametrize(
    "country, tax_ids, amount, reason",
    [
        ("GB", [], 2940, "standard_rated"),
        ("DE", [], 2793, "standard_rated"),
        ("DE", GERMAN_VAT, 0, "reverse_charge"),
        ("GB", [{"type": "gb_vat", "value": "GB123456789"}], 0, "reverse_charge"),
        ("US", [], 0, "not_collecting"),
        ("US", [{"type": "us_ein", "value": "12-3456789"}], 0, "not_collecting"),
    ],
)
def test_stripe_tax_answers_the_fixed_cases(country, tax_ids, amount, reason):
    result = tax.compute(amount=14700, country=country, tax_ids=tax_ids, inclusive=False)

    assert (result.amount, result.reason, result.taxable_amount) == (amount, reason, 14700)
    (line,) = result.breakdown()
    assert (line["amount"], line["taxability_reason"], line["rate"]["country"]) == (amount, reason, country)


def test_a_german_consumer_with_an_empty_vat_number_pays_vat():
    result = tax.compute(amount=100, country="DE", tax_ids=[{"type": "eu_vat", "value": ""}], inclusive=False)

    assert (result.amount, result.reason) == (19, "standard_rated")


def test_inclusive_prices_hold_the_vat_inside_them_rounded_once():
    result = tax.compute(amount=14700, country="GB", tax_ids=[], inclusive=True)

    assert (result.amount, result.taxable_amount) == (2450, 12250)
    assert result.amount + result.taxable_amount == 14700


def test_rounding_is_half_up_in_the_minor_unit():
    assert tax.compute(amount=50, country="GB", tax_ids=[], inclusive=False).amount == 10
    assert tax.compute(amount=150, country="DE", tax_ids=[], inclusive=False).amount == 29  # 28.5


def test_the_fake_refuses_an_automatic_tax_stripe_does_not_have(fake_stripe):
    with pytest.raises(stripe.InvalidRequestError, match=r"unknown parameter: automatic_tax\[on\]"):
        stripe_client().v1.checkout.sessions.create(
            params={"mode": "payment", "automatic_tax": {"on": True}}  # type: ignore[typeddict-unknown-key]
        )
    with pytest.raises(stripe.InvalidRequestError, match=r"Missing required param: automatic_tax.enabled"):
        stripe_client().v1.checkout.sessions.create(
            params={"mode": "payment", "automatic_tax": {"liability": {"type": "self"}}}  # type: ignore[typeddict-item]
        )


def test_the_payment_page_shows_the_vat_for_the_country_chosen(fake_stripe, catalog, buy):
    _, order = buy("level-i")
    form = {"email": "a@studio.example", "name": "A", "country": "DE", "vat_number": "", "preview": "1"}

    _, consumer, _ = page(pay_url(fake_stripe, order), form)
    _, business, _ = page(pay_url(fake_stripe, order), {**form, "vat_number": "DE 123 456 789"})
    _, american, _ = page(pay_url(fake_stripe, order), {**form, "country": "US"})

    assert "VAT 19%" in consumer and "USD 27.93" in consumer and "USD 174.93" in consumer
    assert "reverse charge" in business and "USD 147.00" in business and 'value="DE123456789"' in business
    assert "not registered" in american
    assert fake_stripe.sessions[order.stripe_session_id]["status"] == "open"  # showing changed nothing


def test_a_german_business_paying_on_the_page_is_recorded_as_reverse_charge(fake_stripe, catalog, buy):
    _, order = buy("level-i")
    form = {"email": "ap@studio.example", "name": "A", "business_name": "Studio GmbH", "country": "DE"}

    status, _, _ = page(
        pay_url(fake_stripe, order), {**form, "vat_number": "DE123456789", "card": "4242424242424242"}
    )
    sync_order(order.pk, source="test")

    order.refresh_from_db()
    assert status == 303
    assert (order.status, order.tax_cents, order.total_cents) == (Order.Status.PAID, 0, 14700)
    assert (order.taxability_reason, order.billing_country) == ("reverse_charge", "DE")
    # Called a reverse charge once the registry (the fake) has confirmed the number, in the background.
    assert (order.tax_ids, order.vat_numbers, order.is_reverse_charge) == (
        "eu_vat DE123456789",
        "DE123456789",
        False,
    )
    run_ready_tasks()
    assert order.is_reverse_charge
