"""The fake Stripe server holds the app to Stripe's real API: these tests keep the fake honest."""

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import stripe

from checkout.stripe_client import stripe_client, verified_event
from stripe_sandbox.events import sign_payload
from stripe_sandbox.fake import _Handler
from stripe_sandbox.params import decode_form, parameter_problems

ROOT = Path(__file__).resolve().parents[2]

VALID = {
    "mode": "payment",
    "line_items": [
        {
            "price_data": {"currency": "usd", "unit_amount": 1500, "product_data": {"name": "A kit"}},
            "quantity": 2,
        }
    ],
    "success_url": "http://testserver/checkout/success/?session_id={CHECKOUT_SESSION_ID}",
}


def test_decode_form_builds_nested_dicts_and_lists():
    body = "line_items[0][price_data][unit_amount]=100&line_items[1][quantity]=2&metadata[order_reference]=R"

    assert decode_form(body) == {
        "line_items": [{"price_data": {"unit_amount": "100"}}, {"quantity": "2"}],
        "metadata": {"order_reference": "R"},
    }


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("mode=payment&price=1", "Received unknown parameter: price"),
        (
            "line_items[0][price_data][product_data][title]=x",
            "Received unknown parameter: line_items[0][price_data][product_data][title]",
        ),
        (
            "line_items[0][price_data][currency]=usd&line_items[0][price_data][product_data][description]=x",
            "Missing required param: line_items[0].price_data.product_data.name",
        ),
        (
            "invoice_creation[enabled]=true&invoice_creation[invoice_data][custom_fields][0][label]=PO",
            "Received unknown parameter: invoice_creation[invoice_data][custom_fields][0][label]",
        ),
        (
            "invoice_creation[invoice_data][custom_fields][0][name]=PO",
            "Missing required param: invoice_creation.enabled",
        ),
        ("tax_id_collection[required]=never", "Missing required param: tax_id_collection.enabled"),
    ],
)
def test_parameters_are_judged_by_the_stripe_library_types(body, problem):
    assert problem in parameter_problems(body)


def test_valid_parameters_pass():
    body = (
        "mode=payment&allow_promotion_codes=true&client_reference_id=R&metadata[order_reference]=R"
        "&payment_intent_data[metadata][order_reference]=R&line_items[0][quantity]=1"
        "&line_items[0][price_data][currency]=usd&line_items[0][price_data][unit_amount]=100"
        "&line_items[0][price_data][product_data][name]=N&line_items[0][price_data][product_data][description]=D"
    )

    assert parameter_problems(body) == []


def test_fake_rejects_an_unknown_parameter_like_stripe(fake_stripe):
    with pytest.raises(stripe.InvalidRequestError, match="unknown parameter: unit_price"):
        stripe_client().v1.checkout.sessions.create(params={**VALID, "unit_price": 1})  # type: ignore[typeddict-unknown-key]


def test_fake_replays_an_idempotent_create(fake_stripe):
    first = stripe_client().v1.checkout.sessions.create(params=VALID, options={"idempotency_key": "k-1"})
    again = stripe_client().v1.checkout.sessions.create(params=VALID, options={"idempotency_key": "k-1"})

    assert first.id == again.id
    assert first.amount_total == 3000
    assert len(fake_stripe.sessions) == 1


def test_sign_payload_is_accepted_by_the_stripe_library(settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_check"
    body = b'{"id": "evt_1", "object": "event", "type": "ping"}'

    assert verified_event(body, sign_payload(body, "whsec_check"))["id"] == "evt_1"
    with pytest.raises(stripe.SignatureVerificationError):
        verified_event(body, sign_payload(body, "whsec_check", timestamp=int(time.time()) - 600))


def test_fake_sends_its_answers_without_waiting_for_nagle():
    """Headers and body go out in two writes; with Nagle's algorithm on, each answer waited for the client's
    delayed ACK (about 40 ms), most of a checkout POST's time in scripts/bench_pages.sh."""
    assert _Handler.disable_nagle_algorithm is True


def test_fake_runs_standalone_for_the_benchmark():
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.stripe_fake", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        request = urllib.request.Request(
            f"{url}/v1/checkout/sessions/cs_test_missing", headers={"Authorization": "Bearer sk_test_x"}
        )
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=10)
        assert answer.value.code == 404
        assert json.loads(answer.value.read())["error"]["code"] == "resource_missing"
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
        process.stdout.close()
