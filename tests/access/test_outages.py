"""A mail server down for longer than the retries: once it is back, reconcile_access delivers every access
email (and ended email) that gave up, exactly once."""

import io
import socket

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from access.models import Grant
from teams import seats
from tests.access.conftest import run_ready_tasks
from tests.smtp_servers import SmtpSink


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_at(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2

    def point_at(port: int) -> None:
        settings.EMAIL_PORT = port

    return point_at


def fail_every_attempt() -> None:
    for _ in range(5):
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_ready_tasks()


def test_access_emails_that_gave_up_during_a_mail_outage_are_delivered_by_reconcile_access(
    paid_order, settings, smtp_at
):
    order = paid_order("level-i", 3)
    settings.TASK_MAX_ATTEMPTS = 2
    smtp_at(closed_port())
    for seat, email in ((2, "ana@example.com"), (3, "ben@example.com")):
        token = Grant.objects.get(order=order, seat=seat).token
        seats.assign_seat(grant_token=token, buyer_email=order.email, name=email[:3], email=email)
    fail_every_attempt()
    given = DBTaskResult.objects.filter(task_path="access.emails.send_access_given_email")
    assert given.filter(status="FAILED").count() == 4  # two seats, two attempts each, then given up
    assert not given.filter(status="READY").exists()

    with SmtpSink() as sink:
        smtp_at(sink.port)
        out = io.StringIO()
        call_command("reconcile_access", stdout=out)
        run_ready_tasks()
        call_command("reconcile_access", stdout=io.StringIO())  # a second pass finds nothing more
        run_ready_tasks()

    assert out.getvalue().count("failed with no retry left, enqueued again") == 2
    assert sorted(m["To"] for m in sink.messages) == ["ana@example.com", "ben@example.com"]
