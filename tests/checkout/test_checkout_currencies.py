"""Checkout in the visitor's currency against the fake Stripe: the Checkout Session's price_data in pounds
and euros with the configured tax behaviour, never a silent change of currency mid-checkout, no Checkout
for a product without a price in the currency, seats added to a team order in its currency, invoices on
terms in GBP and EUR, and Adaptive Pricing as an option that records what Stripe presented."""

import pytest
from django.urls import reverse

from catalog.currency import COOKIE_NAME
from catalog.models import ProductPrice
from catalog.money import format_money
from checkout import added_seats
from checkout.models import Order
from invoicing.models import PaymentRequest
from tests.checkout.conftest import completed_event
from tests.checkout.payreq_helpers import (  # noqa: F401  (the fixture: autouse)
    REQUEST_FIELDS,
    deliver_new_events,
    fresh_request_throttle,
    payer_link,
    send_request,
)
from tests.factories import make_order

State = PaymentRequest.State


def send_request_in(client, currency: str, slug: str, quantity: int) -> PaymentRequest:
    """The review page's "My company pays" form, sent from a page that showed `currency`."""
    fields = {"quantity": quantity, "po_number": "", **REQUEST_FIELDS}
    data = {"product": slug, "currency": currency, **{f"request-{k}": v for k, v in fields.items()}}
    client.post(reverse("invoicing:request_payment"), data)
    return PaymentRequest.objects.order_by("-pk").first()


def session_form(fake_stripe) -> dict:
    return fake_stripe.session_requests()[-1].form


@pytest.mark.parametrize(("currency", "tax_behavior"), [("GBP", "inclusive"), ("EUR", "exclusive")])
def test_a_purchase_in_pounds_or_euros_sends_stripe_that_currencys_price(
    client, catalog, fake_stripe, buy, settings, currency, tax_behavior
):
    settings.TAX_BEHAVIOR = tax_behavior
    client.cookies[COOKIE_NAME] = currency
    unit = catalog["level-ii"].price_in(currency)

    review = client.get(reverse("checkout:review", args=["level-ii"]))
    response, order = buy("level-ii", 3, currency=currency)

    assert f'name="currency" value="{currency}"' in review.content.decode()
    assert f"at {format_money(unit, currency)} each" in review.content.decode()
    assert response.status_code == 303
    assert (order.currency, order.subtotal_cents, order.total_cents) == (currency, unit * 3, unit * 3)
    line = order.lines.get()
    assert (line.unit_price_cents, line.amount_cents) == (unit, unit * 3)
    item = session_form(fake_stripe)["line_items"][0]
    assert item["price_data"]["currency"] == currency.lower()
    assert item["price_data"]["unit_amount"] == str(unit)
    assert item["price_data"]["tax_behavior"] == tax_behavior
    assert f"currency={currency}" in session_form(fake_stripe)["cancel_url"]
    assert fake_stripe.sessions[order.stripe_session_id]["currency"] == currency.lower()


def test_a_paid_order_in_pounds_converges_in_pounds(client, catalog, fake_stripe, buy, deliver_event):
    client.cookies[COOKIE_NAME] = "GBP"
    _, order = buy("level-i", 1, currency="GBP")

    deliver_event(completed_event(fake_stripe, order))
    order.refresh_from_db()

    assert order.status == Order.Status.PAID and not order.needs_review
    payment = order.payments.get()
    assert (payment.currency, payment.amount_cents) == ("GBP", catalog["level-i"].price_in("GBP"))


def test_an_order_stays_in_the_currency_its_review_page_showed(client, catalog, fake_stripe, buy):
    client.cookies[COOKIE_NAME] = "GBP"
    client.get(reverse("checkout:review", args=["level-i"]))
    client.cookies[COOKIE_NAME] = "EUR"  # switched in another tab before Pay

    _, order = buy("level-i", 1, currency="GBP")

    assert order.currency == "GBP"
    assert order.lines.get().unit_price_cents == catalog["level-i"].price_in("GBP")


def test_a_second_pay_click_in_another_currency_is_another_order(client, catalog, fake_stripe, buy):
    _, in_pounds = buy("level-i", 1, currency="GBP")
    _, again = buy("level-i", 1, currency="GBP")
    _, in_euros = buy("level-i", 1, currency="EUR")

    assert again.pk == in_pounds.pk
    assert in_euros.pk != in_pounds.pk and in_euros.currency == "EUR"


def test_a_refused_pay_goes_back_to_the_review_page_in_the_currency_it_showed(
    client, catalog, fake_stripe, buy
):
    response, order = buy("level-i", 0, currency="EUR")

    assert order is None
    assert response["Location"] == f"{reverse('checkout:review', args=['level-i'])}?quantity=0&currency=EUR"


def test_a_product_without_a_price_in_the_currency_never_reaches_checkout(client, catalog, fake_stripe, buy):
    ProductPrice.objects.filter(product=catalog["ai-kit"], currency="GBP").delete()
    client.cookies[COOKIE_NAME] = "GBP"

    review = client.get(reverse("checkout:review", args=["ai-kit"])).content.decode()
    response, order = buy("ai-kit", 1, currency="GBP")

    assert "is not sold in pounds sterling yet" in review
    assert 'action="/checkout/start/"' not in review
    assert response.status_code == 400
    assert "is not sold in pounds sterling yet" in response.content.decode()
    assert order is None and fake_stripe.session_requests() == []


def test_a_company_request_in_pounds_is_invoiced_in_pounds_and_paid_by_uk_bank_transfer(
    client, catalog, fake_stripe, run_tasks, deliver_event
):
    request = send_request_in(client, "GBP", "bundle", 4)
    run_tasks()
    client.post(payer_link(), {"action": "invoice"})
    run_tasks()

    order = request.order
    bundle_gbp = catalog["bundle"].price_in("GBP")
    assert (order.currency, order.total_cents) == ("GBP", bundle_gbp * 4)
    request.refresh_from_db()
    assert request.currency == "GBP" and request.state == State.ISSUED
    (invoice,) = fake_stripe.invoices.values()
    assert invoice["currency"] == "gbp" and invoice["amount_due"] == bundle_gbp * 4
    transfer = invoice["payment_settings"]["payment_method_options"]["customer_balance"]["bank_transfer"]
    assert transfer == {"type": "gb_bank_transfer"}
    (item_request,) = [r for r in fake_stripe.requests if r.path == "/v1/invoiceitems"]
    assert item_request.form["currency"] == "gbp"

    seen: set[str] = set()
    deliver_new_events(fake_stripe, deliver_event, seen)
    fake_stripe.fund_cash_balance(invoice["customer"], invoice["amount_due"], currency="gbp")
    deliver_new_events(fake_stripe, deliver_event, seen)
    run_tasks()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.payments.get().currency == "GBP"


def test_a_company_request_in_euros_is_invoiced_in_euros_with_an_eu_bank_transfer(
    client, catalog, fake_stripe, run_tasks, settings
):
    settings.INVOICE_EU_BANK_COUNTRY = "NL"
    request = send_request_in(client, "EUR", "level-i", 2)
    run_tasks()
    client.post(payer_link(), {"action": "invoice"})
    run_tasks()

    (invoice,) = fake_stripe.invoices.values()
    assert request.order.currency == "EUR"
    assert invoice["currency"] == "eur"
    assert invoice["amount_due"] == catalog["level-i"].price_in("EUR") * 2
    transfer = invoice["payment_settings"]["payment_method_options"]["customer_balance"]["bank_transfer"]
    assert transfer == {"type": "eu_bank_transfer", "eu_bank_transfer": {"country": "NL"}}


def test_a_dollar_invoice_keeps_the_configured_bank_transfer(client, catalog, fake_stripe, run_tasks):
    send_request(client, slug="level-i", quantity=2)
    run_tasks()
    client.post(payer_link(), {"action": "invoice"})
    run_tasks()

    (invoice,) = fake_stripe.invoices.values()
    assert invoice["currency"] == "usd"
    transfer = invoice["payment_settings"]["payment_method_options"]["customer_balance"]["bank_transfer"]
    assert transfer == {"type": "us_bank_transfer"}


def test_seats_added_to_a_team_order_in_pounds_are_in_pounds(catalog):
    level_i = catalog["level-i"]
    team = make_order([(level_i, 5)], currency="GBP")
    line = team.lines.get()
    assert line.unit_price_cents == level_i.price_in("GBP")

    added = added_seats.create_added_seats_order(team=team, line_id=line.pk, quantity=2)

    assert added.currency == "GBP"
    assert added.total_cents == level_i.price_in("GBP") * 2


def test_no_seats_are_added_in_a_currency_the_product_is_no_longer_sold_in(catalog):
    level_i = catalog["level-i"]
    team = make_order([(level_i, 5)], currency="EUR")
    ProductPrice.objects.filter(product=level_i, currency="EUR").delete()

    with pytest.raises(added_seats.AddSeatsRefused, match="not sold in EUR"):
        added_seats.create_added_seats_order(team=team, line_id=team.lines.get().pk, quantity=1)
    assert added_seats.addable(team, team.lines.get()) == 0
    assert Order.objects.filter(adds_seats_to=team).count() == 0


def test_adaptive_pricing_is_off_unless_the_setting_asks(client, catalog, fake_stripe, buy):
    buy("level-i", 1, HTTP_ACCEPT_LANGUAGE="ja-JP")

    assert "adaptive_pricing" not in session_form(fake_stripe)


def test_adaptive_pricing_is_asked_only_for_visitors_outside_the_priced_currencies(
    client, catalog, fake_stripe, settings
):
    settings.STRIPE_ADAPTIVE_PRICING = True

    def start(currency: str, language: str) -> Order:
        client.post(
            reverse("checkout:start"),
            {"digital_consent": "on", "product": "level-i", "quantity": 1, "currency": currency},
            HTTP_ACCEPT_LANGUAGE=language,
        )
        return Order.objects.order_by("-pk").first()

    japan = start("USD", "ja-JP")
    assert session_form(fake_stripe)["adaptive_pricing"] == {"enabled": "true"}
    assert (
        japan.adaptive_pricing
        and fake_stripe.sessions[japan.stripe_session_id]["adaptive_pricing"]["enabled"]
    )
    start("GBP", "en-GB")
    assert session_form(fake_stripe)["adaptive_pricing"] == {"enabled": "false"}
    start("USD", "en-GB")  # in the pound area and chose dollars: keeps dollars
    assert session_form(fake_stripe)["adaptive_pricing"] == {"enabled": "false"}


def test_the_order_records_the_presentment_currency_and_amount_stripe_reports(
    client, catalog, fake_stripe, settings, deliver_event
):
    settings.STRIPE_ADAPTIVE_PRICING = True
    client.post(
        reverse("checkout:start"),
        {"digital_consent": "on", "product": "level-i", "quantity": 1},
        HTTP_ACCEPT_LANGUAGE="ja-JP",
    )
    order = Order.objects.get()
    fake_stripe.set_session(
        order.stripe_session_id,
        presentment_details={"presentment_amount": 22_990, "presentment_currency": "jpy"},
    )

    deliver_event(completed_event(fake_stripe, order))
    deliver_event(completed_event(fake_stripe, order))  # again: recorded once
    order.refresh_from_db()

    assert order.status == Order.Status.PAID and not order.needs_review
    assert (order.currency, order.total_cents) == ("USD", catalog["level-i"].price_cents)
    assert (order.presentment_currency, order.presentment_amount_cents) == ("JPY", 22_990)
    notes = order.history.filter(kind="currency")
    assert notes.count() == 1 and "¥22,990" in notes.get().message


def test_a_session_stripe_did_not_convert_records_no_presentment(
    client, catalog, fake_stripe, buy, deliver_event
):
    _, order = buy("level-i", 1, currency="GBP")
    fake_stripe.set_session(
        order.stripe_session_id,
        presentment_details={"presentment_amount": order.total_cents, "presentment_currency": "gbp"},
    )

    deliver_event(completed_event(fake_stripe, order))
    order.refresh_from_db()

    assert order.status == Order.Status.PAID
    assert (order.presentment_currency, order.presentment_amount_cents) == ("", None)
