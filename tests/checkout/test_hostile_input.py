"""Hostile input: future-dated signatures, Stripe text with control characters and absurd lengths, NUL in
forms, CSV formulas, double-clicked Pay, idempotency keys across databases, who may see the success page,
and a missing webhook secret at start-up."""

import csv
import io
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection, connections
from django.test import Client

from checkout.models import Order
from checkout.visitor import COOKIE_NAME
from common.text import CONTROL_CHARACTERS
from payments.models import StripeEvent
from tests.checkout.conftest import WEBHOOK_SECRET, completed_event, run_ready_tasks, signed_post
from tests.stripe_fake import make_event

ROOT = Path(__file__).resolve().parents[2]
Status = Order.Status
START = "/checkout/start/"
SUCCESS = "/checkout/success/"
REVIEW = "/checkout/level-i/"


@pytest.fixture(autouse=True)
def patient_stripe(fake_stripe, settings):
    settings.STRIPE_TIMEOUT_SECONDS = 10
    return fake_stripe


@pytest.fixture
def order(catalog, buy):
    response, order = buy("level-i", 2)
    assert response.status_code == 303
    return order


# Webhook signatures dated in the future.


@pytest.mark.parametrize("ahead", [301, 3600, 10**9])
def test_signature_dated_beyond_the_tolerance_in_the_future_is_refused(client, fake_stripe, order, ahead):
    body = json.dumps(completed_event(fake_stripe, order)).encode()

    response = signed_post(client, body, timestamp=int(time.time()) + ahead)

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0
    order.refresh_from_db()
    assert order.status == Status.PENDING


def test_signature_a_little_ahead_of_our_clock_is_accepted(client, fake_stripe, order):
    body = json.dumps(completed_event(fake_stripe, order)).encode()

    response = signed_post(client, body, timestamp=int(time.time()) + 60)

    assert response.status_code == 200
    assert StripeEvent.objects.count() == 1


def test_header_with_a_stale_and_a_future_timestamp_is_refused(client, fake_stripe, order):
    from tests.stripe_fake import sign_payload

    body = json.dumps(completed_event(fake_stripe, order)).encode()
    future = sign_payload(body, WEBHOOK_SECRET, int(time.time()) + 3600)

    response = client.post(
        "/stripe/webhook/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=f"t={int(time.time())},{future.split(',')[1]}",
    )

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


# Text from Stripe.

HOSTILE_NAME = "Ann\x00 \x1b[31mRed\r\nBcc: evil@example.com\x85\u2028" + "x" * 10_000


@pytest.mark.parametrize(
    "email",
    [
        "e" * 10_000 + "@example.com",
        "buyer@example.com\r\nBcc: evil@example.com",
        "buyer\x00@example.com",
        "not an email",
    ],
    ids=["10k characters", "header injection", "NUL", "not an address"],
)
def test_unusable_buyer_text_from_stripe_is_stored_safely_and_flagged(
    client, fake_stripe, order, deliver_event, email
):
    response = deliver_event(completed_event(fake_stripe, order, email=email, name=HOSTILE_NAME))

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Status.PAID
    assert order.email == ""
    assert order.needs_review is True
    assert "email address that cannot be used" in order.review_reason
    assert len(order.buyer_name) <= 200
    assert order.buyer_name.startswith("Ann [31mRed Bcc: evil@example.com x")
    assert not CONTROL_CHARACTERS.search(order.buyer_name)
    assert "\u2028" not in order.buyer_name
    assert mail.outbox == [], "no address to send to, and never a broken header"
    page = client.get(SUCCESS, {"session_id": order.stripe_session_id})
    assert page.status_code == 200


def test_long_name_with_a_good_email_is_confirmed_with_clean_headers(
    client, fake_stripe, order, deliver_event
):
    deliver_event(completed_event(fake_stripe, order, email="buyer@example.com", name=HOSTILE_NAME))

    order.refresh_from_db()
    assert (order.status, order.email, order.needs_review) == (Status.PAID, "buyer@example.com", False)
    (message,) = mail.outbox
    assert message.to == ["buyer@example.com"]
    assert message.bcc == []
    assert "\n" not in message.subject and "\r" not in message.subject
    headers = message.message().as_string().split("\n\n", 1)[0]
    assert "evil@example.com" not in headers
    assert client.get(SUCCESS, {"session_id": order.stripe_session_id}).status_code == 200


def test_stripe_session_text_set_on_the_fake_with_nul_is_stored_on_any_database(
    client, fake_stripe, order, deliver_event
):
    fake_stripe.complete_session(order.stripe_session_id, name="\x00" * 50)
    session = fake_stripe.set_session(
        order.stripe_session_id,
        customer_details={
            **fake_stripe.sessions[order.stripe_session_id]["customer_details"],
            "name": "A\x00B",
        },
    )

    response = deliver_event(make_event("checkout.session.completed", session))

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Status.PAID
    assert order.buyer_name == "A B"


def test_event_payload_with_nul_in_strings_and_keys_is_accepted(client, fake_stripe, order, deliver_event):
    session = fake_stripe.complete_session(order.stripe_session_id)
    event = make_event("checkout.session.completed", session)
    event["data"]["object"]["customer_details"]["name"] = "nul\x00inside"
    event["data"]["object"]["metadata"]["key\x00with nul"] = "\x00"
    event["request"]["idempotency_key"] = "\x00\x00"

    response = deliver_event(event)

    assert response.status_code == 200, response.content
    assert response.content == b"processed"
    stored = StripeEvent.objects.get()
    assert "\x00" not in json.dumps(stored.payload)
    assert stored.payload["data"]["object"]["customer_details"]["name"] == "nulinside"
    order.refresh_from_db()
    assert order.status == Status.PAID


def test_event_payload_with_a_lone_surrogate_is_accepted(client, fake_stripe, order, deliver_event):
    session = fake_stripe.complete_session(order.stripe_session_id)
    body = json.dumps(make_event("checkout.session.completed", session)).replace(
        '"Test Buyer"', '"Test \\ud800 Buyer"'
    )
    assert "\\ud800" in body

    response = signed_post(client, body.encode())

    assert response.status_code == 200
    run_ready_tasks()
    order.refresh_from_db()
    assert order.status == Status.PAID


# Control characters in forms and links.


@pytest.mark.parametrize("quantity", ["1\x00", "\x001", "1\x07", "1\x1b", "1\x7f"])
def test_control_character_in_a_form_field_is_a_400_with_a_message(client, catalog, fake_stripe, quantity):
    client.get(REVIEW)

    response = client.post(START, {"digital_consent": "on", "product": "level-i", "quantity": quantity})

    assert response.status_code == 400
    assert "control character" in response.content.decode()
    assert Order.objects.count() == 0
    assert fake_stripe.session_requests() == []


def test_control_character_in_a_urlencoded_body_or_field_name_is_a_400(client, catalog, fake_stripe):
    urlencoded = "application/x-www-form-urlencoded"

    in_value = client.post(START, "product=level-i&quantity=1%00", content_type=urlencoded)
    in_name = client.post(START, "product=level-i&quantity=1&x%01y=1", content_type=urlencoded)

    assert (in_value.status_code, in_name.status_code) == (400, 400)
    assert "control character" in in_name.content.decode()
    assert Order.objects.count() == 0


@pytest.mark.parametrize("path", ["/?q=%01", "/?q=%00", "/checkout/level-i/?quantity=2%00", "/faq/?%1b=1"])
def test_control_character_in_a_query_parameter_is_a_400_with_a_message(client, catalog, path):
    response = client.get(path)

    assert response.status_code == 400
    assert "control character" in response.content.decode()


def test_tabs_and_line_breaks_in_a_query_are_not_refused(client, catalog):
    assert client.get("/?q=a%09b%0D%0Ac").status_code == 200


def test_csv_export_neutralises_cells_starting_with_a_line_feed_or_other_trigger(order):
    from finance.csv_text import neutralise
    from finance.export import ExportFilter, csv_stream

    for trigger in ("\n", "\r", "\t", "=", "+", "-", "@"):
        assert neutralise(f"{trigger}HYPERLINK(1)") == f"'{trigger}HYPERLINK(1)"
    assert neutralise("Ann") == "Ann"
    Order.objects.filter(pk=order.pk).update(buyer_name='\n=HYPERLINK("http://x")', email="\rbuyer@x.com")

    rows = list(csv.DictReader(io.StringIO("".join(csv_stream(ExportFilter())))))

    (row,) = rows
    assert row["buyer_name"] == '\'\n=HYPERLINK("http://x")'
    assert row["buyer_email"] == "'\rbuyer@x.com"


# Double-clicking Pay.


def start_twice(client) -> list:
    return [
        client.post(START, {"digital_consent": "on", "product": "level-i", "quantity": "2"}) for _ in range(2)
    ]


def test_double_click_on_pay_makes_one_order_and_one_session(client, catalog, fake_stripe):
    review = client.get(REVIEW)
    assert COOKIE_NAME in review.cookies

    first, second = start_twice(client)

    assert (first.status_code, second.status_code) == (303, 303)
    assert first["Location"] == second["Location"]
    assert Order.objects.count() == 1
    assert len(fake_stripe.sessions) == 1
    assert len(fake_stripe.session_requests("POST")) == 1


def test_other_seats_another_browser_or_a_paid_order_get_a_new_order(
    client, catalog, fake_stripe, deliver_event
):
    client.get(REVIEW)
    client.post(START, {"digital_consent": "on", "product": "level-i", "quantity": "2"})
    client.post(START, {"digital_consent": "on", "product": "level-i", "quantity": "3"})
    other = Client()
    other.get(REVIEW)
    other.post(START, {"digital_consent": "on", "product": "level-i", "quantity": "2"})
    assert Order.objects.count() == 3

    first = Order.objects.order_by("pk").first()
    deliver_event(completed_event(fake_stripe, first))
    client.post(START, {"digital_consent": "on", "product": "level-i", "quantity": "2"})

    assert Order.objects.count() == 4, "a paid order is never handed back for a new purchase"
    assert len(fake_stripe.sessions) == 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two truly concurrent transactions need PostgreSQL (SQLite serialises writers)",
)
def test_two_concurrent_pay_clicks_make_one_order_and_one_session(catalog, fake_stripe):
    browser = Client()
    browser.get(REVIEW)
    cookie = browser.cookies[COOKIE_NAME].value
    barrier = threading.Barrier(2)
    responses: list = [None, None]

    def click(index: int) -> None:
        try:
            tab = Client()
            tab.cookies[COOKIE_NAME] = cookie
            barrier.wait()
            responses[index] = tab.post(
                START, {"digital_consent": "on", "product": "level-i", "quantity": "2"}
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert [r.status_code for r in responses] == [303, 303]
    assert responses[0]["Location"] == responses[1]["Location"]
    assert Order.objects.count() == 1
    assert len(fake_stripe.sessions) == 1
    order = Order.objects.get()
    assert order.checkout_url == responses[0]["Location"]


def test_idempotency_key_carries_the_orders_random_token(catalog, buy, fake_stripe):
    _, first = buy("level-i", 1)
    _, second = buy("level-i", 2)

    keys = [request.header("Idempotency-Key") for request in fake_stripe.session_requests("POST")]

    assert keys == [
        f"order-{first.reference}-{first.token}-session",
        f"order-{second.reference}-{second.token}-session",
    ]
    assert len(first.token) == 32 and first.token != second.token
    # A restored copy of the database reuses references: the token still keeps the keys apart.
    assert first.reference not in keys[1]


# Who may see the buyer's details.


def test_success_page_shows_details_only_to_the_browser_that_started_the_checkout(client, fake_stripe, order):
    fake_stripe.complete_session(order.stripe_session_id, email="private.buyer@example.com")
    query = {"session_id": order.stripe_session_id}

    own = client.get(SUCCESS, query).content.decode()
    stranger = Client().get(SUCCESS, query)
    forged = Client()
    forged.cookies[COOKIE_NAME] = "0" * 32
    forged_page = forged.get(SUCCESS, query).content.decode()

    assert "private.buyer@example.com" in own and order.reference in own and "Level I" in own
    assert stranger.status_code == 200
    text = stranger.content.decode()
    assert "Payment received" in text
    for secret in ("private.buyer@example.com", order.reference, "Level I", order.stripe_session_id):
        assert secret not in text
        assert secret not in forged_page
    assert (
        stranger.headers["Cache-Control"].startswith("max-age=0")
        or "no-cache" in stranger.headers["Cache-Control"]
    )


def test_success_page_for_an_unpaid_order_tells_a_stranger_nothing_about_it(client, fake_stripe, order):
    page = Client().get(SUCCESS, {"session_id": order.stripe_session_id}).content.decode()

    assert "not been paid yet" in page
    assert order.reference not in page


# Start-up checks.


def import_settings(**overrides: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DEBUG": "true",
        "STRIPE_SECRET_KEY": "",
        "STRIPE_PUBLISHABLE_KEY": "",
        "STRIPE_WEBHOOK_SECRET": "",
        **overrides,
    }
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_secret_key_without_webhook_secret_stops_start_up_naming_it():
    result = import_settings(STRIPE_SECRET_KEY="sk_test_abc")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "STRIPE_WEBHOOK_SECRET" in result.stderr


def test_secret_key_with_webhook_secret_starts():
    result = import_settings(STRIPE_SECRET_KEY="sk_test_abc", STRIPE_WEBHOOK_SECRET="whsec_abc")

    assert result.returncode == 0, result.stderr


def test_lone_surrogate_in_the_name_stripe_returns_is_stored_safely(
    client, fake_stripe, order, deliver_event
):
    event = completed_event(fake_stripe, order)  # the event's snapshot is clean; Stripe's current copy is not
    fake_stripe.set_session(
        order.stripe_session_id,
        customer_details={**event["data"]["object"]["customer_details"], "name": "Test \ud800 Buyer"},
    )

    response = deliver_event(event)

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Status.PAID
    assert order.buyer_name.startswith("Test")
    assert len(mail.outbox) == 1
