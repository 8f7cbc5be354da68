"""The course enrolment webhook, against a real HTTP server on 127.0.0.1 that records what it is sent."""

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from access import enrolment
from access.models import EnrolmentDelivery, Grant
from teams import seats
from tests.access.conftest import run_ready_tasks
from tests.stripe_fake import make_event

SECRET = "enrolment-test-secret"


class CoursePlatform:
    """Records each POST; answers with the statuses queued in `answers`, then 200."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answers: list[int] = []
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                platform.requests.append(
                    {"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                )
                status = platform.answers.pop(0) if platform.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/enrol"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def events(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def platform(settings):
    server = CoursePlatform()
    server.thread.start()
    settings.COURSE_ENROLMENT_WEBHOOK_URL = server.url
    settings.COURSE_ENROLMENT_WEBHOOK_SECRET = SECRET
    settings.COURSE_ENROLMENT_WEBHOOK_TIMEOUT = 5
    yield server
    server.server.shutdown()
    server.server.server_close()


def verify(header: str, body: bytes, secret: str, tolerance: int = 300) -> bool:
    """The verification snippet of docs/payments.md "Course enrolment webhook", as a receiver would write it."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp = int(parts["t"])
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - timestamp) <= tolerance


def run_retries_now() -> None:
    """Bring retries scheduled for later forward to now, then run what is ready."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - dt.timedelta(seconds=1))
    run_ready_tasks()


def test_a_paid_course_seat_is_posted_signed_with_its_holder_product_order_and_seat(paid_order, platform):
    order = paid_order("level-i", 2, email="head@example.com", name="Head of Production")

    [request] = platform.requests
    event = json.loads(request["body"])
    assert verify(request["headers"]["cpma-signature"], request["body"], SECRET)
    assert not verify(request["headers"]["cpma-signature"], request["body"], "another-secret")
    assert request["headers"]["content-type"] == "application/json"
    assert event["event"] == "enrolment.granted" and event["id"].startswith("enr_")
    assert event["holder"] == {"name": "Head of Production", "email": "head@example.com"}
    assert event["product"]["slug"] == "level-i" and event["product"]["name"]
    assert (event["order"]["reference"], event["seat"]) == (order.reference, 1)
    assert isinstance(event["created"], int)
    delivery = EnrolmentDelivery.objects.get()
    assert delivery.delivered_at is not None and delivery.event_id == event["id"]


def test_an_assigned_seat_is_posted_for_its_new_holder(paid_order, platform):
    order = paid_order("level-i", 2)
    seat_two = Grant.objects.get(order=order, seat=2)

    seats.assign_seat(
        grant_token=seat_two.token, buyer_email=order.email, name="Ana", email="ana@example.com"
    )
    run_ready_tasks()

    assert [(e["event"], e["holder"]["email"], e["seat"]) for e in platform.events()] == [
        ("enrolment.granted", "buyer@example.com", 1),
        ("enrolment.granted", "ana@example.com", 2),
    ]


def test_a_500_is_retried_and_the_event_then_goes_once(paid_order, platform):
    platform.answers = [500]
    paid_order("level-i", 1)

    delivery = EnrolmentDelivery.objects.get()
    assert delivery.delivered_at is None and delivery.attempts == 1 and "500" in delivery.last_error
    run_retries_now()
    run_retries_now()  # nothing left to send: a delivered event is never sent again
    enrolment.deliver(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and delivery.attempts == 2
    ids = [e["id"] for e in platform.events()]
    assert len(ids) == 2 and ids[0] == ids[1]  # the same event id, so the receiver can dedupe


def test_an_unreachable_platform_fails_the_attempt_so_it_retries(paid_order, settings):
    settings.COURSE_ENROLMENT_WEBHOOK_URL = "http://127.0.0.1:9/enrol"  # discard port: nothing listens
    settings.COURSE_ENROLMENT_WEBHOOK_SECRET = SECRET

    paid_order("level-i", 1)

    delivery = EnrolmentDelivery.objects.get()
    assert delivery.delivered_at is None and delivery.claimed_at is None and delivery.last_error
    assert DBTaskResult.objects.filter(status="READY", task_path__endswith="deliver_enrolment").exists()


def test_nothing_is_recorded_or_sent_when_the_webhook_is_not_configured(paid_order, settings):
    settings.COURSE_ENROLMENT_WEBHOOK_URL = ""
    settings.COURSE_ENROLMENT_WEBHOOK_SECRET = ""

    paid_order("level-i", 2)

    assert not EnrolmentDelivery.objects.exists()
    assert not DBTaskResult.objects.filter(task_path__endswith="deliver_enrolment").exists()


def test_a_full_refund_posts_the_revocation(paid_order, platform, fake_stripe, deliver_event):
    order = paid_order("level-i", 1)

    deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id)))

    events = platform.events()
    assert [e["event"] for e in events] == ["enrolment.granted", "enrolment.revoked"]
    assert events[1]["holder"]["email"] == order.email and events[1]["id"] != events[0]["id"]
    assert all(verify(r["headers"]["cpma-signature"], r["body"], SECRET) for r in platform.requests)


def test_a_grant_revoked_before_its_enrolment_was_sent_sends_neither(
    paid_order, platform, fake_stripe, deliver_event
):
    platform.answers = [500]
    order = paid_order("level-i", 1)  # the granted event failed once and waits for its retry

    deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id)))
    run_retries_now()

    assert [e["event"] for e in platform.events()] == ["enrolment.granted"]  # the failed attempt only
    assert EnrolmentDelivery.objects.get().cancelled_at is not None
