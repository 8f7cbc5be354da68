"""The page Stripe returns the buyer to: it asks Stripe, never the query string, and fulfils once."""

import pytest
from django.core import mail
from django.urls import reverse

from checkout.models import Order
from tests.checkout.conftest import completed_event

SUCCESS = "/checkout/success/"


@pytest.fixture
def order(catalog, buy):
    response, order = buy("resume-kit", 3)
    assert response.status_code == 303
    return order


def test_success_page_fulfils_when_it_arrives_before_the_webhook(
    client, fake_stripe, order, deliver_event, django_capture_on_commit_callbacks, caplog
):
    event = completed_event(fake_stripe, order, email="post@example.com")

    with caplog.at_level("INFO", logger="checkout"), django_capture_on_commit_callbacks(execute=True):
        page = client.get(SUCCESS, {"session_id": order.stripe_session_id})
    deliver_event(event)

    assert page.status_code == 200
    assert b"your order is confirmed" in page.content
    assert b"post@example.com" in page.content
    assert b"your team's seats" in page.content
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert len(mail.outbox) == 1
    assert f"order {order.reference} success-page: pending -> paid" in caplog.messages
    retrieve = fake_stripe.session_requests("GET")[-1]
    assert retrieve.path == f"/v1/checkout/sessions/{order.stripe_session_id}"


def test_success_page_ignores_anything_but_what_stripe_says(client, fake_stripe, order):
    page = client.get(SUCCESS, {"session_id": order.stripe_session_id, "payment_status": "paid", "paid": "1"})

    assert page.status_code == 200
    assert b"Payment not completed yet" in page.content
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_success_page_shows_processing_for_a_delayed_payment(client, fake_stripe, order):
    fake_stripe.complete_session(order.stripe_session_id, payment_status="unpaid")

    page = client.get(SUCCESS, {"session_id": order.stripe_session_id})

    assert b"Payment processing" in page.content
    order.refresh_from_db()
    assert order.status == Order.Status.PROCESSING
    assert mail.outbox == []


@pytest.mark.parametrize("session_id", ["", "{CHECKOUT_SESSION_ID}", "cs_<script>", "x" * 300])
def test_success_page_refuses_a_malformed_session_id(client, fake_stripe, session_id):
    page = client.get(SUCCESS, {"session_id": session_id})

    assert page.status_code == 400
    assert fake_stripe.requests == []


def test_success_page_for_an_unknown_session_is_404(client, fake_stripe, db):
    page = client.get(SUCCESS, {"session_id": "cs_test_unknown"})

    assert page.status_code == 404
    assert b"could not find that payment" in page.content


def test_success_page_when_stripe_is_down_says_we_are_confirming(client, fake_stripe, order):
    fake_stripe.complete_session(order.stripe_session_id)
    fake_stripe.fail_next("timeout")

    page = client.get(SUCCESS, {"session_id": order.stripe_session_id})

    assert page.status_code == 503
    assert b"We are confirming your payment" in page.content
    assert order.reference.encode() in page.content
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_success_page_flags_an_amount_mismatch_instead_of_confirming(client, fake_stripe, order):
    fake_stripe.complete_session(order.stripe_session_id, amount_total=100)

    page = client.get(SUCCESS, {"session_id": order.stripe_session_id})

    assert b"We are checking your payment" in page.content
    order.refresh_from_db()
    assert (order.status, order.needs_review) == (Order.Status.PENDING, True)


def test_success_page_needs_stripe_configured(client, db, settings):
    settings.STRIPE_SECRET_KEY = ""

    assert client.get(reverse("checkout:success"), {"session_id": "cs_test_abc"}).status_code == 404
