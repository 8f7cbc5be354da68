"""The course platform's signed events: each type moves progress or a certificate, a repeat changes nothing,
anything forged, stale, malformed or naming somebody unknown is refused whole, and any order of delivery
ends the same."""

import itertools
import json
import time
from types import SimpleNamespace

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from common.signatures import SIGNATURE_HEADER, sign
from learning import webhook
from learning.models import Certificate, CourseEvent, Progress
from tests.checkout.conftest import run_ready_tasks
from tests.learning.conftest import SECRET, URL, assign, event, post, seated_order

ANA = "ana@studio.example"


@pytest.fixture
def seat(catalog):
    order = seated_order(catalog["level-i"], 3)
    return assign(order, 2, ANA, "Ana Ruiz")


def progress() -> Progress:
    return Progress.objects.get(holder_email=ANA)


def test_started_progressed_and_passed_move_the_learner_forward(seat, send):
    t = int(time.time())
    send(event("learner.started", ANA, created=t - 300))
    assert progress().started_at.timestamp() == t - 300 and progress().passed_at is None

    send(event("learner.progressed", ANA, created=t - 200, percent=40, grant=seat.pk))
    assert progress().percent == 40

    send(event("learner.passed", ANA, created=t - 100))
    assert progress().passed_at.timestamp() == t - 100 and progress().percent == 100


def test_a_certificate_issued_gets_an_unguessable_code_and_one_email(seat, send, mailoutbox):
    send(event("certificate.issued", ANA, certificate={"id": "cert_1", "issued": "2026-12-01"}))

    certificate = Certificate.objects.get(platform_id="cert_1")
    other = Certificate.objects.create(platform_id="cert_2", holder_email=ANA, product=certificate.product)
    assert certificate.valid and str(certificate.issued_on) == "2026-12-01"
    assert certificate.holder_name == "Ana Ruiz"
    assert len(certificate.code) >= 16 and certificate.code != other.code
    assert not certificate.code.isdigit()
    assert [m.to for m in mailoutbox] == [[ANA]]
    assert f"/verify/{certificate.code}/" in mailoutbox[0].body
    assert f"/verify/{certificate.code}/" in mailoutbox[0].alternatives[0][0]
    assert progress().passed_at is not None


def test_certificate_revoked_then_issued_again_later_is_valid_and_earlier_is_not(seat, send):
    t = int(time.time())
    cert = {"id": "cert_9", "issued": "2026-11-02"}
    send(event("certificate.issued", ANA, created=t - 300, certificate=cert))
    send(event("certificate.revoked", ANA, created=t - 200, certificate={"id": "cert_9"}))
    assert not Certificate.objects.get().valid

    send(event("certificate.issued", ANA, created=t - 400, certificate=cert))  # an old issue, late
    assert not Certificate.objects.get().valid

    send(event("certificate.issued", ANA, created=t - 100, certificate=cert))
    assert Certificate.objects.get().valid


def test_a_repeated_event_id_is_a_no_op(seat, send):
    payload = event("learner.progressed", ANA, percent=30)
    send(payload)
    again = post({**payload, "percent": 90})
    run_ready_tasks()

    assert again.status_code == 200 and again.content == b"duplicate"
    assert CourseEvent.objects.count() == 1 and progress().percent == 30


TYPES = ["learner.started", "learner.progressed", "learner.passed", "certificate.issued"]


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
def test_any_delivery_order_ends_passed_at_100_with_the_earliest_start(seat, order, send):
    t = int(time.time())
    made = [
        event("learner.started", ANA, created=t - 400),
        event("learner.progressed", ANA, created=t - 300, percent=60),
        event("learner.passed", ANA, created=t - 200),
        event("certificate.issued", ANA, created=t - 100, certificate={"id": "c", "issued": "2026-12-01"}),
    ]
    send(*(made[i] for i in order))

    done = progress()
    assert (done.started_at.timestamp(), done.percent, done.passed_at.timestamp()) == (t - 400, 100, t - 200)
    assert Certificate.objects.get().valid


def test_progress_never_goes_down(seat, send):
    send(event("learner.progressed", ANA, percent=70), event("learner.progressed", ANA, percent=20))
    assert progress().percent == 70


def test_a_revocation_before_its_issue_still_ends_revoked(seat, send):
    t = int(time.time())
    send(event("certificate.revoked", ANA, created=t - 10, certificate={"id": "x"}))
    send(event("certificate.issued", ANA, created=t - 50, certificate={"id": "x", "issued": "2026-12-01"}))
    assert Certificate.objects.get().issued and not Certificate.objects.get().valid


def _nothing_stored():
    return not CourseEvent.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"event": "learner.graduated"}, 400, b"`event` must be one of"),
        ({"percent": 140, "event": "learner.progressed"}, 400, b"`percent`"),
        ({"holder": {"email": "nobody@studio.example"}}, 422, b"Nobody with that address"),
        ({"product": {"slug": "level-x"}}, 422, b"No product"),
        ({"grant": 999999}, 422, b"or that grant"),
        ({"id": ""}, 400, b"`id`"),
        ({"created": "yesterday"}, 400, b"`created`"),
        ({"event": "certificate.issued", "certificate": {"id": "c"}}, 400, b"YYYY-MM-DD"),
        ({"created": int(time.time()) + 3600}, 400, b"in the future"),
    ],
)
def test_bad_events_are_refused_with_the_reason_and_change_nothing(seat, change, status, says):
    DBTaskResult.objects.all().delete()
    response = post({**event("learner.started", ANA), **change})
    assert response.status_code == status and says in response.content
    assert _nothing_stored()


def test_forged_stale_and_future_signatures_are_refused(seat):
    DBTaskResult.objects.all().delete()
    payload = event("learner.started", ANA)
    forged = post(payload, secret="not-the-secret")
    stale = post(payload, timestamp=int(time.time()) - 301)
    future = post(payload, timestamp=int(time.time()) + 301)
    body = json.dumps(payload).encode()
    genuine = post(payload)
    missing = Client().post(URL, body, content_type="application/json")

    assert forged.status_code == 400 and b"does not match" in forged.content
    assert stale.status_code == 400 and b"old" in stale.content
    assert future.status_code == 400 and b"future" in future.content
    assert missing.status_code == 400 and b"Missing CPMA-Signature" in missing.content
    assert genuine.status_code == 200  # the same body, properly signed, is accepted
    assert CourseEvent.objects.count() == 1


def test_malformed_json_and_oversized_bodies_are_refused(seat):
    DBTaskResult.objects.all().delete()
    assert post(None, raw=b"{not json").status_code == 400
    assert post(None, raw=b"[1, 2]").status_code == 400
    assert post(None, raw=b'{"pad": "' + b"x" * 70_000 + b'"}').status_code == 413
    assert _nothing_stored()


def test_the_endpoint_is_off_without_a_secret(seat, settings):
    settings.COURSE_PLATFORM_EVENTS_SECRET = ""
    assert post(event("learner.started", ANA)).status_code == 404
    assert post(event("learner.started", ANA), secret="").status_code == 404  # signed with the empty key
    assert Client().get(URL).status_code == 404  # not even a 405 says it is there
    assert not CourseEvent.objects.exists()


def test_a_certificate_id_stays_with_its_holder_and_course(seat, send, catalog):
    assign(seated_order(catalog["level-i"], 1, email="bo@studio.example"), 1, "bo@studio.example", "Bo Lind")
    send(event("certificate.issued", ANA, certificate={"id": "cert_1", "issued": "2026-12-01"}))
    DBTaskResult.objects.all().delete()

    taken = post(
        event("certificate.issued", "bo@studio.example", certificate={"id": "cert_1", "issued": "2026-12-02"})
    )

    assert taken.status_code == 422 and b"belongs to another holder" in taken.content
    certificate = Certificate.objects.get()
    assert (certificate.holder_email, certificate.holder_name) == (ANA, "Ana Ruiz")
    assert CourseEvent.objects.count() == 1 and not DBTaskResult.objects.exists()


def test_an_event_is_stored_only_with_its_processing_enqueued(seat, monkeypatch):
    DBTaskResult.objects.all().delete()
    payload = event("learner.started", ANA)

    def broken_queue(*args, **kwargs):
        raise RuntimeError("the task queue is down")

    monkeypatch.setattr(
        webhook, "tasks", SimpleNamespace(process_course_event=SimpleNamespace(enqueue=broken_queue))
    )
    failed = Client(raise_request_exception=False).post(
        URL,
        json.dumps(payload).encode(),
        content_type="application/json",
        headers={SIGNATURE_HEADER: sign(json.dumps(payload).encode(), SECRET)},
    )
    assert failed.status_code == 500  # the platform retries
    assert _nothing_stored()

    monkeypatch.undo()
    assert post(payload).status_code == 200  # the retry is not taken for a duplicate
    assert DBTaskResult.objects.filter(task_path="learning.tasks.process_course_event").count() == 1


def test_a_get_is_refused(seat):
    assert Client().get(URL).status_code == 405
