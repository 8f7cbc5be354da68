"""The enrolment webhook's delivery rules, each pinned: only a 2xx delivers (a redirect is a failure, even
to a page that answers 200), a fresh claim keeps other workers off for 10 minutes and a stale one is taken
over, and one grant's events reach the platform in the order they happened."""

import datetime as dt
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from access import enrolment
from access.models import EnrolmentDelivery, Grant
from tests.access.test_enrolment_webhook import SECRET, platform  # noqa: F401  (fixture)


class RedirectingPlatform:
    """POSTs to /enrol are answered with `status` and a Location to /moved, which answers 200 to anything."""

    def __init__(self, status: int) -> None:
        self.paths: list[tuple[str, str]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                recorder.paths.append((self.command, self.path))
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                if self.path == "/enrol":
                    self.send_response(status)
                    self.send_header("Location", "/moved")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_GET = _answer

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/enrol"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_from_the_course_platform_is_not_a_delivery(paid_order, settings, status):
    redirecting = RedirectingPlatform(status)
    settings.COURSE_ENROLMENT_WEBHOOK_URL = redirecting.url
    settings.COURSE_ENROLMENT_WEBHOOK_SECRET = SECRET
    try:
        paid_order("level-i", 1)  # the grant's task runs here and meets the redirect
    finally:
        redirecting.server.shutdown()
        redirecting.server.server_close()

    delivery = EnrolmentDelivery.objects.get()
    assert delivery.delivered_at is None
    assert delivery.claimed_at is None  # released, so the retry sends it again
    assert str(status) in delivery.last_error
    assert redirecting.paths == [("POST", "/enrol")]  # the redirect was not followed


def stored_event(grant: Grant, event: str, **fields) -> EnrolmentDelivery:
    event_id = f"enr_{uuid.uuid4().hex}"
    return EnrolmentDelivery.objects.create(
        event_id=event_id, grant=grant, event=event, payload={"id": event_id, "event": event}, **fields
    )


@pytest.fixture
def held_grant(paid_order, platform):  # noqa: F811
    order = paid_order("level-i", 1)
    platform.requests.clear()
    return Grant.objects.get(order=order)


@pytest.mark.parametrize("claimed_minutes_ago", [0, 5, 9.9])
def test_a_claim_younger_than_ten_minutes_keeps_other_workers_off(held_grant, platform, claimed_minutes_ago):  # noqa: F811
    claimed_at = timezone.now() - dt.timedelta(minutes=claimed_minutes_ago)
    delivery = stored_event(held_grant, EnrolmentDelivery.Event.REVOKED, claimed_at=claimed_at, attempts=1)

    with pytest.raises(enrolment.DeliveryBusy):
        enrolment.deliver(delivery.pk)

    delivery.refresh_from_db()
    assert platform.requests == []
    assert (delivery.claimed_at, delivery.attempts, delivery.delivered_at) == (claimed_at, 1, None)


@pytest.mark.parametrize("claimed_minutes_ago", [10.1, 60])
def test_a_claim_older_than_ten_minutes_is_taken_over_and_sent(held_grant, platform, claimed_minutes_ago):  # noqa: F811
    claimed_at = timezone.now() - dt.timedelta(minutes=claimed_minutes_ago)
    delivery = stored_event(held_grant, EnrolmentDelivery.Event.REVOKED, claimed_at=claimed_at, attempts=1)

    assert enrolment.deliver(delivery.pk) == "delivered"

    delivery.refresh_from_db()
    assert [e["id"] for e in platform.events()] == [delivery.event_id]
    assert delivery.delivered_at is not None and delivery.attempts == 2


def test_a_revocation_waits_for_its_grants_earlier_event(held_grant, platform):  # noqa: F811
    granted = stored_event(held_grant, EnrolmentDelivery.Event.GRANTED)
    revoked = stored_event(held_grant, EnrolmentDelivery.Event.REVOKED)

    with pytest.raises(enrolment.DeliveryBusy):
        enrolment.deliver(revoked.pk)
    assert platform.requests == []
    assert EnrolmentDelivery.objects.get(pk=revoked.pk).attempts == 0

    assert enrolment.deliver(granted.pk) == "delivered"  # the earlier one is not held up by the later
    assert enrolment.deliver(revoked.pk) == "delivered"

    assert [e["id"] for e in platform.events()] == [granted.event_id, revoked.event_id]


def test_another_grants_pending_event_does_not_hold_one_back(paid_order, platform):  # noqa: F811
    order = paid_order("level-i", 2)
    first, second = Grant.objects.filter(order=order).order_by("seat")
    platform.requests.clear()
    waiting = stored_event(first, EnrolmentDelivery.Event.GRANTED)
    later = stored_event(second, EnrolmentDelivery.Event.REVOKED)

    assert enrolment.deliver(later.pk) == "delivered"

    assert [json.loads(r["body"])["id"] for r in platform.requests] == [later.event_id]
    assert EnrolmentDelivery.objects.get(pk=waiting.pk).delivered_at is None
