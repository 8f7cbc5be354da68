"""The browser that paid lands on the success page signed in to the purchases page, with How to start
above everything else; any other browser sees what it saw before. Checkout reaches the sign-in through
settings.PAYING_BROWSER_SIGN_IN, never by importing access."""

import pytest
from django.test import Client

from access.sessions import SESSION_EMAIL
from checkout.models import Order
from tests.checkout.conftest import run_ready_tasks

SUCCESS = "/checkout/success/"


@pytest.fixture
def order(catalog, buy):
    catalog["level-i"].access_instructions = "Sign in at learn.example.com with the address you paid with."
    catalog["level-i"].save()
    _, order = buy("level-i", 1)
    return order


def test_the_paying_browser_is_signed_in_and_told_how_to_start(client, fake_stripe, order):
    fake_stripe.complete_session(order.stripe_session_id, email="Pat@Example.com")

    page = client.get(SUCCESS, {"session_id": order.stripe_session_id})

    assert page.status_code == 200
    text = page.content.decode()
    assert text.index("How to start") < text.index("Total")
    assert "Sign in at learn.example.com with the address you paid with." in text
    assert 'href="/purchases/"' in text and "already signed in" in text
    assert client.session[SESSION_EMAIL] == "pat@example.com"
    run_ready_tasks()  # the worker grants the seat
    purchases = client.get("/purchases/").content.decode()
    assert "Sign in at learn.example.com with the address you paid with." in purchases


def test_another_browser_with_the_same_session_id_is_not_signed_in(client, fake_stripe, order):
    fake_stripe.complete_session(order.stripe_session_id, email="pat@example.com")
    stranger = Client()

    page = stranger.get(SUCCESS, {"session_id": order.stripe_session_id})

    assert page.status_code == 200
    assert "pat@example.com" not in page.content.decode()
    assert "How to start" not in page.content.decode()
    assert SESSION_EMAIL not in stranger.session


def test_an_unpaid_order_signs_nobody_in(client, fake_stripe, order):
    page = client.get(SUCCESS, {"session_id": order.stripe_session_id})

    assert b"Payment not completed yet" in page.content
    assert SESSION_EMAIL not in client.session
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING


def test_without_the_hook_the_success_page_signs_nobody_in(client, fake_stripe, order, settings):
    settings.PAYING_BROWSER_SIGN_IN = ""
    fake_stripe.complete_session(order.stripe_session_id, email="pat@example.com")

    page = client.get(SUCCESS, {"session_id": order.stripe_session_id})

    assert b"How to start" in page.content
    assert b"we email you a sign-in link" in page.content
    assert SESSION_EMAIL not in client.session
