"""The Bundle completion credit in the order's currency: money paid in pounds is credited against the Bundle's
price in pounds, never across currencies (the offer says so), and the completion order is in that currency."""

import pytest

from access.bundle_completion import start_bundle_completion
from access.credit import bundle_offer
from catalog.models import ProductPrice
from tests.checkout.conftest import completed_event

BUYER = "producer@example.com"


@pytest.fixture
def paid_in(catalog, buy, deliver_event, fake_stripe):
    def pay(slug: str, currency: str):
        _, order = buy(slug, 1, currency=currency)
        deliver_event(completed_event(fake_stripe, order, email=BUYER))
        order.refresh_from_db()
        assert order.currency == currency and order.status == "paid"
        return order

    return pay


def test_level_i_paid_in_pounds_is_credited_against_the_bundles_pound_price(catalog, paid_in):
    paid_in("level-i", "GBP")

    offer = bundle_offer(email=BUYER, bundle=catalog["bundle"], currency="GBP")

    paid = catalog["level-i"].price_in("GBP")
    assert offer.currency == "GBP"
    assert offer.credit_cents == paid
    assert offer.price_cents == catalog["bundle"].price_in("GBP") - paid
    assert offer.missing_value_cents == sum(
        catalog[slug].price_in("GBP") for slug in ("level-ii", "resume-kit", "ai-kit")
    )
    assert offer.other_currency_paid == []


def test_pounds_paid_earn_no_credit_in_euros_or_dollars_and_the_offer_says_why(catalog, paid_in):
    paid_in("level-i", "GBP")

    for currency in ("EUR", "USD"):
        offer = bundle_offer(email=BUYER, bundle=catalog["bundle"], currency=currency)
        assert offer is not None
        assert offer.paid_credit_cents == 0
        assert offer.other_currency_paid == ["GBP"]
        assert offer.currency == currency


def test_no_offer_in_a_currency_where_a_missing_part_has_no_price(catalog, paid_in):
    paid_in("level-i", "GBP")
    ProductPrice.objects.filter(product=catalog["ai-kit"], currency="GBP").delete()

    assert bundle_offer(email=BUYER, bundle=catalog["bundle"], currency="GBP") is None


def test_the_completion_order_is_in_the_offers_currency(catalog, paid_in, fake_stripe):
    paid_in("level-i", "EUR")

    started = start_bundle_completion(email=BUYER, bundle=catalog["bundle"], currency="EUR")

    order = started.order
    line = order.lines.get()
    assert order.currency == "EUR"
    assert line.adjustment_cents == catalog["level-i"].price_in("EUR")
    assert order.total_cents == catalog["bundle"].price_in("EUR") - catalog["level-i"].price_in("EUR")
    item = fake_stripe.session_requests()[-1].form["line_items"][0]
    assert item["price_data"]["currency"] == "eur"
    assert item["price_data"]["unit_amount"] == str(order.total_cents)
