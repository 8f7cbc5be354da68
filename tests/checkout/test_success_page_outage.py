"""The page Stripe returns the buyer to, while our database is out of reach: a 503 that says the payment is
safe and reloads itself (Retry-After, a meta refresh for browsers without JavaScript), never a 500. Stripe is
the fake server, working; only the database is gone."""

import contextlib
import socket

import pytest
from django.db import OperationalError, connection

SUCCESS = "/checkout/success/"


@pytest.fixture
def paid_at_stripe(catalog, buy, fake_stripe, client):
    response, order = buy("resume-kit", 2)
    assert response.status_code == 303
    fake_stripe.complete_session(order.stripe_session_id)
    session = client.session  # a browser with a session row, read by the page's messages
    session["seen"] = True
    session.save()
    client.raise_request_exception = False  # what a buyer would see: a 500 page, not a test error
    return order


def refuse_every_query(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


def assert_friendly_503(page) -> None:
    text = page.content.decode()
    assert page.status_code == 503
    assert int(page["Retry-After"]) > 0
    assert f'<meta http-equiv="refresh" content="{page["Retry-After"]}">' in text
    assert "Your payment is safe" in text
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]


def test_during_a_database_outage_the_success_page_is_a_503_that_retries_itself(client, paid_at_stripe):
    with connection.execute_wrapper(refuse_every_query):
        page = client.get(SUCCESS, {"session_id": paid_at_stripe.stripe_session_id})

    assert_friendly_503(page)
    assert paid_at_stripe.reference not in page.content.decode()  # nothing from the database is shown


def test_when_stripe_and_the_database_are_both_down_the_page_still_says_the_payment_is_safe(
    client, paid_at_stripe, fake_stripe
):
    fake_stripe.fail_next("500", times=10)
    with connection.execute_wrapper(refuse_every_query):
        page = client.get(SUCCESS, {"session_id": paid_at_stripe.stripe_session_id})

    assert page.status_code == 503
    assert "Your payment is safe" in page.content.decode()


@pytest.fixture
def database_on_a_closed_port():
    """The default connection pointed at a port nobody listens on: every query is refused, as in an outage."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=port)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a refused TCP connection needs PostgreSQL")
def test_with_postgresql_out_of_reach_the_success_page_is_a_503_that_retries_itself(
    client, catalog, buy, fake_stripe, request
):
    _, order = buy("resume-kit", 2)
    fake_stripe.complete_session(order.stripe_session_id)
    client.raise_request_exception = False
    request.getfixturevalue("database_on_a_closed_port")

    page = client.get(SUCCESS, {"session_id": order.stripe_session_id})

    assert_friendly_503(page)
