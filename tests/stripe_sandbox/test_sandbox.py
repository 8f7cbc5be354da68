"""The local Stripe sandbox (`python -m stripe_sandbox`, started by `make run` without Stripe keys): its payment
page, its test cards, the webhooks it sends, and its refusal to run outside development."""

import ast
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import stripe

from checkout.models import Order
from payments.sync import sync_order
from stripe_sandbox.__main__ import Refused, check_environment
from stripe_sandbox.hosted import MARK_CLASS
from stripe_sandbox.webhooks import WebhookSender
from tests.checkout.conftest import WEBHOOK_SECRET, run_ready_tasks, signed_post

ROOT = Path(__file__).resolve().parents[2]


class Receiver:
    """A stand-in webhook endpoint on 127.0.0.1: records every POST and answers with `statuses` in turn
    (then 200)."""

    def __init__(self, statuses: tuple[int, ...] = ()) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.statuses = list(statuses)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "9")
                self.end_headers()
                self.wfile.write(b"processed")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/stripe/webhook/"

    def wait_for(self, count: int, timeout: float = 10) -> list[tuple[dict[str, str], bytes]]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sandbox(fake_stripe):
    """The tests' fake Stripe with the sandbox's webhook delivery on, sending to a Receiver."""
    receiver = Receiver()
    fake_stripe.webhooks = WebhookSender(receiver.url, WEBHOOK_SECRET, first_retry=0.05)
    yield fake_stripe, receiver
    fake_stripe.webhooks.stop()
    fake_stripe.webhooks = None
    receiver.stop()


def page(url: str, form: dict[str, str] | None = None) -> tuple[int, str, str | None]:
    """GET (or POST `form` to) a sandbox page without following redirects: status, HTML, Location."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect())
    try:
        with opener.open(url, data=data, timeout=10) as response:
            return response.status, response.read().decode(), response.headers.get("Location")
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read().decode(), answer.headers.get("Location")


def pay_url(fake, order: Order) -> str:
    return f"{fake.url}/c/pay/{order.stripe_session_id}"


def press(fake, order: Order, card: str, email: str = "lead@studio.example") -> tuple[int, str, str | None]:
    return page(pay_url(fake, order), {"email": email, "name": "Lee Lead", "business_name": "", "card": card})


def test_the_sandbox_refuses_to_start_unless_debug_is_on():
    for environ in ({}, {"DEBUG": "false"}, {"DEBUG": "ture"}, {"DEBUG": "0"}):
        with pytest.raises(Refused, match="DEBUG=true"):
            check_environment({**environ, "STRIPE_WEBHOOK_SECRET": "whsec_local"})

    assert check_environment({"DEBUG": " True ", "STRIPE_WEBHOOK_SECRET": "whsec_local"}) == "whsec_local"


def test_the_sandbox_process_exits_with_debug_off_and_serves_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "stripe_sandbox", "--port", "0", "--webhook-url", "http://127.0.0.1:9/"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "false", "STRIPE_WEBHOOK_SECRET": "whsec_local"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert result.stdout == ""  # never printed an address
    assert "never for production" in result.stderr


def test_the_sandbox_needs_a_webhook_secret_like_stripes():
    with pytest.raises(Refused, match="STRIPE_WEBHOOK_SECRET"):
        check_environment({"DEBUG": "true", "STRIPE_WEBHOOK_SECRET": "local"})


def test_every_page_the_sandbox_serves_carries_the_sandbox_mark(sandbox, catalog, buy):
    fake, _ = sandbox
    _, order = buy("level-i")
    pages = {
        "overview": page(f"{fake.url}/"),
        "payment": page(pay_url(fake, order)),
        "declined": press(fake, order, "4000 0000 0000 0002"),
        "unknown address": page(f"{fake.url}/c/pay/cs_test_nothing"),
        "no card chosen": press(fake, order, ""),
    }
    press(fake, order, "4242 4242 4242 4242")
    pages["finished"] = page(pay_url(fake, order))

    for name, (_, html, _) in pages.items():
        assert f'class="{MARK_CLASS}"' in html, name
        assert "<title>Sandbox · " in html, name
        assert "no money moves" in html, name
    assert pages["unknown address"][0] == 404
    assert "This checkout is complete" in pages["finished"][1]


def test_the_payment_page_shows_the_order_and_a_button_per_test_card(sandbox, catalog, buy):
    fake, _ = sandbox
    _, order = buy("bundle", quantity=3)

    status, html, _ = page(pay_url(fake, order))

    line = order.lines.get()
    assert status == 200
    assert line.product_name in html
    assert "Qty 3" in html
    assert f"USD {order.total_cents // 100:,}.00" in html
    for card in ("4242 4242 4242 4242", "4000 0025 0000 3155", "4000 0000 0000 0002"):
        assert f'value="{card}"' in html
    assert f'<span id="session">{order.stripe_session_id}</span>' in html
    assert fake.hosted_visits == [order.stripe_session_id]


def test_a_declined_card_leaves_the_order_unpaid_and_sends_nothing(sandbox, catalog, buy):
    fake, receiver = sandbox
    _, order = buy("level-i")

    status, html, location = press(fake, order, "4000 0000 0000 0002")

    assert (status, location) == (200, None)
    assert "Your card was declined" in html
    assert 'value="lead@studio.example"' in html  # what the buyer typed stays
    assert fake.events == []
    time.sleep(0.2)
    assert receiver.received == []
    assert fake.sessions[order.stripe_session_id]["status"] == "open"
    sync_order(order.pk, source="test")
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert not order.payments.exists()


def test_paying_sends_webhooks_the_stripe_library_verifies_and_the_shop_fulfils(
    sandbox, catalog, buy, client, mailoutbox
):
    fake, receiver = sandbox
    _, order = buy("level-i")

    status, _, location = press(fake, order, "4242 4242 4242 4242")

    assert status == 303
    assert location == f"http://testserver/checkout/success/?session_id={order.stripe_session_id}"
    received = receiver.wait_for(3)
    types = []
    for headers, body in received:
        event = stripe.Webhook.construct_event(body, headers["Stripe-Signature"], WEBHOOK_SECRET)
        types.append(event.type)
        assert headers["Content-Type"] == "application/json; charset=utf-8"
        assert not any(key.startswith("_") for key in json.loads(body)["data"]["object"])
        with pytest.raises(stripe.SignatureVerificationError):
            stripe.Webhook.construct_event(body, headers["Stripe-Signature"], "whsec_another_endpoint")
    assert types == ["checkout.session.completed", "invoice.finalized", "invoice.paid"]

    completed_body = received[0][1]
    assert signed_post(client, completed_body).content == b"processed"
    run_ready_tasks()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.email == "lead@studio.example"
    assert any(order.reference in message.subject for message in mailoutbox)


def test_three_d_secure_asks_to_authenticate_then_completes_paid_before_going_back(
    sandbox, catalog, buy, client
):
    fake, receiver = sandbox
    _, order = buy("level-i")

    status, html, location = press(fake, order, "4000 0025 0000 3155")

    assert (status, location) == (200, None)
    assert "Authenticate this payment" in html
    assert f'action="/c/pay/{order.stripe_session_id}/authenticate"' in html
    assert fake.events == [] and fake.sessions[order.stripe_session_id]["status"] == "open"
    assert page(f"{pay_url(fake, order)}/authenticate")[0] == 404  # a GET changes nothing

    details = {
        "email": "lead@studio.example",
        "name": "Lee Lead",
        "business_name": "",
        "card": "4000002500003155",
    }
    status, html, _ = page(f"{pay_url(fake, order)}/authenticate", {**details, "result": "fail"})
    assert status == 200 and "could not authenticate" in html
    assert fake.events == []

    status, _, location = page(f"{pay_url(fake, order)}/authenticate", {**details, "result": "complete"})

    assert status == 303
    assert location == f"http://testserver/checkout/success/?session_id={order.stripe_session_id}"
    received = receiver.wait_for(3)
    events = [json.loads(body) for _, body in received]
    assert [event["type"] for event in events] == [
        "checkout.session.completed",
        "invoice.finalized",
        "invoice.paid",
    ]
    assert events[0]["data"]["object"]["payment_status"] == "paid"
    signed_post(client, received[0][1])
    run_ready_tasks()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_a_delivery_the_shop_fails_is_sent_again_with_a_fresh_signature():
    receiver = Receiver(statuses=(500, 503))
    sender = WebhookSender(receiver.url, "whsec_retry", first_retry=0.05)
    try:
        delivery = sender.send({"id": "evt_retry", "object": "event", "type": "checkout.session.completed"})
        received = receiver.wait_for(3)
        deadline = time.monotonic() + 5
        while not delivery.delivered and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        sender.stop()
        receiver.stop()

    assert len(received) == 3
    assert (delivery.attempts, delivery.delivered, delivery.outcome) == (3, True, "200 processed")
    for headers, body in received:
        stripe.WebhookSignature.verify_header(body, headers["Stripe-Signature"], "whsec_retry", 300)


def test_a_delivery_gives_up_after_its_last_attempt():
    receiver = Receiver(statuses=(500,) * 10)
    sender = WebhookSender(receiver.url, "whsec_retry", first_retry=0.01, max_attempts=3)
    try:
        delivery = sender.send({"id": "evt_down", "object": "event", "type": "invoice.paid"})
        receiver.wait_for(3)
        time.sleep(0.3)
    finally:
        sender.stop()
        receiver.stop()

    assert (len(receiver.received), delivery.attempts, delivery.delivered) == (3, 3, False)


def test_the_fake_still_refuses_parameters_stripe_does_not_have(fake_stripe):
    from checkout.stripe_client import stripe_client

    with pytest.raises(
        stripe.InvalidRequestError, match="unknown parameter: payment_method_types\\[0\\]\\[x\\]"
    ):
        stripe_client().v1.checkout.sessions.create(
            params={"mode": "payment", "payment_method_types": [{"x": "card"}]}  # type: ignore[list-item]
        )


def test_the_sandbox_imports_only_the_standard_library_and_stripe():
    allowed = set(sys.stdlib_module_names) | {"stripe", "stripe_sandbox"}
    imported = set()
    for path in (ROOT / "stripe_sandbox").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])

    assert imported - allowed == set()
