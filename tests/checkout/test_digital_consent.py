"""The EU digital-content consent: an unticked box on the review page that Pay needs ticked; the order keeps
which wording was ticked and when, and the confirmation email repeats it."""

import html

from django.core import mail
from django.urls import reverse

from checkout import consent
from checkout.models import Order
from tests.checkout.conftest import completed_event

START = reverse("checkout:start")


def test_the_review_page_shows_the_consent_unticked_and_without_an_error(catalog, client, fake_stripe):
    page = html.unescape(
        client.get(reverse("checkout:review", kwargs={"slug": "level-i"}), {"quantity": 3}).content.decode()
    )

    assert consent.TEXT in page
    assert 'name="digital_consent"' in page and "checked" not in page.split('name="digital_consent"')[1][:80]
    assert consent.REQUIRED_MESSAGE not in page


def test_the_wording_names_the_lost_withdrawal_right_and_the_five_day_guarantee():
    assert "14-day right to withdraw" in consent.TEXT and "five days" in consent.TEXT


def test_pay_without_the_box_ticked_goes_back_with_the_reason_and_makes_no_order(
    catalog, client, fake_stripe
):
    response = client.post(START, {"product": "level-i", "quantity": "2"}, follow=True)

    page = html.unescape(response.content.decode())
    assert response.redirect_chain[0][1] == 303 and "consent=missing" in response.redirect_chain[0][0]
    assert consent.REQUIRED_MESSAGE in page and 'value="2"' in page
    assert not Order.objects.exists() and fake_stripe.session_requests() == []


def test_the_order_keeps_the_wording_version_and_time_and_the_email_repeats_it(
    catalog, buy, fake_stripe, deliver_event
):
    _, order = buy("level-i")
    assert order.digital_consent_version == consent.VERSION and order.digital_consent_at is not None

    deliver_event(completed_event(fake_stripe, order))
    order.refresh_from_db()

    (email,) = [m for m in mail.outbox if m.to == [order.email]]
    assert consent.TEXT in email.body and consent.TEXT in html.unescape(email.alternatives[0][0])


def test_the_review_page_after_a_missing_consent_shows_the_total_for_the_seats_given(
    catalog, client, fake_stripe
):
    from catalog.models import Product
    from catalog.money import format_money

    product = Product.objects.get(slug="level-i")
    url = reverse("checkout:review", kwargs={"slug": "level-i"})
    page = html.unescape(client.get(url, {"quantity": 3, "consent": "missing"}).content.decode())

    assert consent.REQUIRED_MESSAGE in page
    assert "3 seats" in page and "None seat" not in page
    assert format_money(product.price_cents * 3, product.currency) in page
    assert "data-total-invalid hidden" in page


def test_the_confirmation_names_a_vat_number_without_stripes_type_name(catalog):
    from checkout.emails import confirmation_message
    from tests.factories import make_order

    order = make_order(
        [(catalog["level-i"], 1)],
        company_name="Studio GmbH",
        tax_ids="eu_vat DE136695976",
        email="a@b.example",
    )

    email = confirmation_message(order)

    for text in (email.body, html.unescape(email.alternatives[0][0])):
        assert "VAT number DE136695976" in text and "eu_vat" not in text
