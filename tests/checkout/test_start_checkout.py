"""Buying: the review page, the POST that creates the order and its Checkout Session, and Stripe failures."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from catalog.seats import MAX_SEATS
from checkout.models import Order, OrderLine
from payments.models import StripeEvent
from tests.checkout.conftest import completed_event
from tests.factories import make_product

SEEDED_SLUGS = ["level-i", "level-ii", "resume-kit", "ai-kit", "bundle"]


@pytest.mark.parametrize("slug", SEEDED_SLUGS)
def test_full_purchase_of_each_product(client, catalog, fake_stripe, buy, deliver_event, slug):
    product = catalog[slug]
    review = client.get(reverse("checkout:review", args=[slug]))
    assert review.status_code == 200
    assert b'action="/checkout/start/"' in review.content
    assert b"csrfmiddlewaretoken" in review.content

    response, order = buy(slug)

    assert response.status_code == 303
    session_id = order.stripe_session_id
    assert response["Location"] == f"https://checkout.stripe.com/c/pay/{session_id}"
    assert order.status == Order.Status.PENDING
    assert order.reference == f"CPMA-{order.pk:06d}"
    assert order.currency == product.currency
    assert order.total_cents == order.subtotal_cents == product.price_cents
    line = order.lines.get()
    assert (line.product_name, line.unit_price_cents, line.quantity) == (product.name, product.price_cents, 1)

    sent = fake_stripe.session_requests()[-1]
    item = sent.form["line_items"][0]
    assert item["price_data"]["unit_amount"] == str(product.price_cents)
    assert item["price_data"]["currency"] == product.currency.lower()
    assert item["price_data"]["product_data"]["name"] == product.name
    assert item["quantity"] == "1"
    assert sent.form["mode"] == "payment"
    assert sent.form["client_reference_id"] == order.reference
    assert sent.form["metadata"] == {"order_reference": order.reference}
    assert sent.form["payment_intent_data"] == {"metadata": {"order_reference": order.reference}}
    assert sent.form["allow_promotion_codes"] == "true"
    assert sent.form["success_url"].endswith("/checkout/success/?session_id={CHECKOUT_SESSION_ID}")
    assert sent.form["cancel_url"].startswith(f"http://testserver/checkout/{slug}/?cancelled=1")
    assert sent.header("Idempotency-Key") == f"order-{order.reference}-{order.token}-session"

    event = completed_event(fake_stripe, order, email="coordinator@example.com", name="Sam Buyer")
    assert deliver_event(event).status_code == 200

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.paid_at is not None
    assert (order.email, order.buyer_name) == ("coordinator@example.com", "Sam Buyer")
    assert order.stripe_payment_intent_id.startswith("pi_test_")
    assert len(mail.outbox) == 1
    assert order.reference in mail.outbox[0].subject
    assert mail.outbox[0].to == ["coordinator@example.com"]

    page = client.get(reverse("checkout:success"), {"session_id": session_id})
    assert page.status_code == 200
    assert order.reference.encode() in page.content
    assert b"your order is confirmed" in page.content
    assert b"team's seats" not in page.content
    assert len(mail.outbox) == 1


def test_team_buys_five_bundle_seats(client, catalog, fake_stripe, buy, deliver_event):
    bundle = catalog["bundle"]
    review = client.get(reverse("checkout:review", args=["bundle"]), {"quantity": 5})
    assert b'value="5"' in review.content

    response, order = buy("bundle", 5)

    assert response.status_code == 303
    line = order.lines.get()
    assert line.quantity == 5
    assert line.amount_cents == order.subtotal_cents == order.total_cents == bundle.price_cents * 5
    item = fake_stripe.session_requests()[-1].form["line_items"][0]
    assert (item["quantity"], item["price_data"]["unit_amount"]) == ("5", str(bundle.price_cents))

    deliver_event(completed_event(fake_stripe, order))

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.total_cents == bundle.price_cents * 5
    text = mail.outbox[0].body
    assert "5 seats" in text
    assert "give the others to colleagues from your purchases page" in text
    assert "http://testserver/purchases/" in text


def test_tampered_price_currency_and_name_fields_are_ignored(catalog, fake_stripe, buy):
    product = catalog["level-i"]

    response, order = buy(
        # A currency the shop does not sell in is ignored too (a chosen GBP or EUR picks staff's price in it:
        # tests/catalog/test_currencies.py).
        "level-i",
        2,
        price_cents=1,
        unit_amount=1,
        currency="XYZ",
        name="Free course",
        amount=1,
    )

    assert response.status_code == 303
    line = order.lines.get()
    assert (line.product_name, line.unit_price_cents) == (product.name, product.price_cents)
    assert order.currency == product.currency
    item = fake_stripe.session_requests()[-1].form["line_items"][0]
    assert item["price_data"]["unit_amount"] == str(product.price_cents)
    assert item["price_data"]["currency"] == product.currency.lower()
    assert item["price_data"]["product_data"]["name"] == product.name


def test_unknown_or_inactive_product_is_404_without_an_order(client, db, fake_stripe, buy):
    make_product(slug="retired", is_active=False)

    for slug in ("retired", "no-such-product", ""):
        response, order = buy(slug)
        assert response.status_code == 404
        assert order is None
    assert client.get(reverse("checkout:review", args=["retired"])).status_code == 404
    assert fake_stripe.requests == []


@pytest.mark.parametrize("quantity", [0, -1, 51, "abc", "", "2.5"])
def test_bad_seat_counts_go_back_to_the_review_page_with_the_error(
    client, catalog, fake_stripe, buy, quantity
):
    response, order = buy("level-i", quantity)

    assert response.status_code == 303
    assert response["Location"] == f"{reverse('checkout:review', args=['level-i'])}?quantity={quantity}"
    assert order is None
    assert OrderLine.objects.count() == 0
    assert fake_stripe.requests == []
    page = client.get(response["Location"])
    assert page.status_code == 200
    content = page.content.decode()
    assert 'class="form-errors" id="id_quantity_error"' in content
    assert "seats" in content.lower()
    field = re.search(r"<input[^>]*name=\"quantity\"[^>]*>", content).group(0)
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="id_quantity_error id_quantity_helptext"' in field
    assert (f'value="{quantity}"' in field) if quantity != "" else ("value=" not in field)
    assert "data-total-line hidden" in content  # no stale total next to an invalid count


def test_a_refused_entry_is_trimmed_before_it_goes_back_into_the_address(catalog, fake_stripe, buy):
    response, _ = buy("level-i", "9" * 500)

    assert response.status_code == 303
    assert response["Location"].endswith("?quantity=" + "9" * 20)


@pytest.mark.parametrize("failure", ["500", "timeout", "card_error"])
def test_stripe_failure_shows_a_friendly_page_and_fails_the_order(catalog, fake_stripe, buy, failure):
    fake_stripe.fail_next(failure)

    response, order = buy("level-ii")

    assert response.status_code == 502
    assert b"could not reach the payment service" in response.content
    assert order.status == Order.Status.FAILED
    assert order.stripe_session_id is None
    assert order.paid_at is None
    assert StripeEvent.objects.count() == 0
    assert Order.objects.count() == 1
    assert OrderLine.objects.count() == 1
    assert mail.outbox == []


def test_library_retry_reuses_the_idempotency_key_and_makes_one_session(catalog, fake_stripe, buy, settings):
    settings.STRIPE_MAX_NETWORK_RETRIES = 1
    fake_stripe.fail_next("500")

    response, order = buy("ai-kit")

    assert response.status_code == 303
    attempts = fake_stripe.session_requests()
    assert len(attempts) == 2
    assert {a.header("Idempotency-Key") for a in attempts} == {
        f"order-{order.reference}-{order.token}-session"
    }
    assert list(fake_stripe.sessions) == [order.stripe_session_id]


def test_seat_count_defaults_to_one_when_the_form_leaves_it_out(client, catalog, fake_stripe):
    response = client.post(reverse("checkout:start"), {"digital_consent": "on", "product": "resume-kit"})

    assert response.status_code == 303
    assert Order.objects.get().lines.get().quantity == 1


def test_start_requires_a_csrf_token(catalog, fake_stripe):
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(
        reverse("checkout:start"), {"digital_consent": "on", "product": "level-i", "quantity": 1}
    )

    assert response.status_code == 403
    assert Order.objects.count() == 0


def test_a_get_of_start_goes_to_the_products_instead_of_an_error(client, catalog, fake_stripe):
    response = client.get(reverse("checkout:start"))

    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:home")
    assert Order.objects.count() == 0


def test_without_stripe_keys_checkout_explains_it_is_not_configured(client, catalog, settings):
    settings.STRIPE_SECRET_KEY = ""

    review = client.get(reverse("checkout:review", args=["bundle"]))
    started = client.post(
        reverse("checkout:start"), {"digital_consent": "on", "product": "bundle", "quantity": 1}
    )

    assert review.status_code == 200
    assert b"Checkout is not configured" in review.content
    assert review.content.count(b"<form") == 1  # the header's currency switch, no Pay form
    assert b'class="currency-switch"' in review.content
    assert started.status_code == 303
    assert started["Location"] == f"{reverse('checkout:review', args=['bundle'])}?quantity=1"
    assert b"Checkout is not configured" in client.get(started["Location"]).content
    assert Order.objects.count() == 0


def test_review_page_shows_price_per_seat_and_total_from_the_catalogue(client, db, fake_stripe):
    product = make_product(price_cents=12345)

    response = client.get(reverse("checkout:review", args=[product.slug]), {"quantity": 3})

    assert b"$123.45" in response.content
    assert b"$370.35" in response.content
    assert b"3 seats" in response.content
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]


@pytest.mark.parametrize("quantity", ["0", "99", "lots"])
def test_review_page_explains_a_bad_quantity_link_instead_of_guessing(client, db, fake_stripe, quantity):
    product = make_product()

    response = client.get(reverse("checkout:review", args=[product.slug]), {"quantity": quantity})

    assert response.status_code == 200
    assert b'aria-invalid="true"' in response.content
    assert b"Enter a number of seats from 1 to 50 to see the total." in response.content


def test_review_page_ties_the_hint_to_the_seats_field_and_announces_the_total(client, db, fake_stripe):
    product = make_product()

    content = client.get(reverse("checkout:review", args=[product.slug])).content.decode()

    field = re.search(r"<input[^>]*name=\"quantity\"[^>]*>", content).group(0)
    assert 'aria-describedby="id_quantity_helptext"' in field
    assert "aria-invalid" not in field
    assert 'id="id_quantity_helptext"' in content
    assert re.search(r'<p class="order-total" aria-live="polite"[^>]*>\s*<span data-total-line>', content)


def test_seat_limit_is_the_catalogue_one(client, db, fake_stripe):
    product = make_product()

    over = client.get(reverse("checkout:review", args=[product.slug]), {"quantity": MAX_SEATS + 1})
    at_limit = client.get(reverse("checkout:review", args=[product.slug]), {"quantity": MAX_SEATS})

    assert b'aria-invalid="true"' in over.content
    assert b'aria-invalid="true"' not in at_limit.content
    assert f'max="{MAX_SEATS}"'.encode() in at_limit.content


def test_cancelled_return_says_nothing_was_charged_and_links_to_the_product(client, catalog):
    response = client.get(reverse("checkout:review", args=["level-i"]), {"cancelled": "1"})

    assert b"Payment cancelled, nothing was charged" in response.content
    assert b'href="/products/level-i/"' in response.content


def test_product_pages_stay_free_of_forms_and_link_to_the_review_page(client, catalog):
    response = client.get(reverse("catalog:product", args=["bundle"]))

    # The only form is the header's currency switch (a POST without a per-visitor token).
    assert response.content.count(b"<form") == 1
    assert b'<form class="currency-switch" method="post"' in response.content
    assert b"csrfmiddlewaretoken" not in response.content
    assert b'href="/checkout/bundle/"' in response.content


def test_a_yen_price_goes_to_stripe_as_whole_yen_and_shows_without_decimals(db, client, fake_stripe, buy):
    from tests.factories import make_product

    product = make_product(price_cents=14700, currency="JPY")

    review = client.get(reverse("checkout:review", kwargs={"slug": product.slug}))
    response, order = buy(product.slug)

    assert "¥14,700" in review.content.decode()
    assert response.status_code == 303
    item = fake_stripe.session_requests()[-1].form["line_items"][0]
    assert (item["price_data"]["unit_amount"], item["price_data"]["currency"]) == ("14700", "jpy")
    assert order.total_cents == 14700
