"""The confirmation email against real, misbehaving SMTP servers (tests/smtp_servers.py) and a failing
database: the webhook request never talks SMTP, a failed send is retried later, and in every case the buyer
ends up with exactly one confirmation whose subject carries the order reference."""

import datetime as dt
import io
import json
import time

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from checkout import emails, states
from checkout.models import EmailDelivery, Order
from common import tasks as background
from common.tasks import lease_for
from payments import confirmation, reconcile, tasks
from payments import sessions as fulfilment
from payments.models import Payment
from tests.checkout.conftest import completed_event, run_ready_tasks, signed_post
from tests.smtp_servers import ClosedPort, RefusingSmtpServer, SilentSmtpServer, SmtpSink

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL_TIMEOUT = 0.5
BUYER = "fault.buyer@example.com"
SEND_TASK = confirmation.send_order_confirmation.module_path


@pytest.fixture(autouse=True)
def patient_stripe(fake_stripe, settings):
    """The shared 2-core CI machine can be slow: these tests are about SMTP and the database, not Stripe
    timeouts, so give the fake Stripe time to answer."""
    settings.STRIPE_TIMEOUT_SECONDS = 10
    return fake_stripe


@pytest.fixture
def smtp(settings):
    """Point Django's real SMTP backend at a local port: `smtp(port)`."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = EMAIL_TIMEOUT

    def point_at(port: int) -> None:
        settings.EMAIL_PORT = port

    return point_at


@pytest.fixture
def sink():
    with SmtpSink() as server:
        yield server


@pytest.fixture
def order(catalog, buy):
    response, order = buy("level-i", 2)
    assert response.status_code == 303
    return order


def make_retries_due() -> None:
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def send_tasks(status: str | None = None):
    results = DBTaskResult.objects.filter(task_path=SEND_TASK)
    return results.filter(status=status) if status else results


def confirmations_for(sink: SmtpSink, order: Order) -> list:
    return [m for m in sink.messages if order.reference in str(m["Subject"])]


def assert_exactly_one_confirmation(sink: SmtpSink, order: Order) -> None:
    assert len(sink.messages) == 1, [str(m["Subject"]) for m in sink.messages]
    message = sink.messages[0]
    assert order.reference in str(message["Subject"])
    assert message["To"] == BUYER
    assert message["X-Envelope-To"] == BUYER
    delivery = EmailDelivery.objects.get(order=order, purpose=emails.CONFIRMATION)
    assert delivery.sent_at is not None
    assert delivery.recipient == BUYER
    order.refresh_from_db()
    assert order.confirmation_sent_at == delivery.sent_at


def pay_through_webhook(client, fake_stripe, order) -> tuple:
    """Deliver checkout.session.completed; returns (response, seconds the request took)."""
    body = json.dumps(completed_event(fake_stripe, order, email=BUYER)).encode()
    started = time.monotonic()
    response = signed_post(client, body)
    return response, time.monotonic() - started


def assert_send_failed_and_retry_is_scheduled(order: Order) -> None:
    failed = send_tasks("FAILED").get()
    retry = send_tasks("READY").get()
    assert retry.args_kwargs == {"args": [order.pk], "kwargs": {"attempt": 2}}
    # Backoff: the retry is not due at once, so a dead mail server is not hammered.
    assert retry.run_after > failed.finished_at + dt.timedelta(seconds=5)
    delivery = EmailDelivery.objects.get(order=order)
    assert delivery.sent_at is None
    assert delivery.claimed_at is None, "a failed send must release its claim for the retry"
    assert delivery.attempts == 1
    assert delivery.last_error
    order.refresh_from_db()
    assert order.status == Order.Status.PAID, "the payment stays recorded whatever the mail server does"
    assert order.confirmation_sent_at is None


def test_smtp_that_never_answers_holds_neither_the_webhook_nor_the_worker_and_a_retry_sends_one_email(
    client, fake_stripe, order, smtp, sink
):
    with SilentSmtpServer(hold_for=10) as silent:
        smtp(silent.port)

        stripe_calls = len(fake_stripe.requests)
        response, request_seconds = pay_through_webhook(client, fake_stripe, order)
        assert len(fake_stripe.requests) == stripe_calls, "the webhook request must not call Stripe either"
        time.sleep(0.05)  # let the silent server's accept loop see any connection the request made
        assert response.status_code == 200
        assert response.content == b"processed"
        assert silent.connections == 0, "the webhook request must not talk SMTP"
        assert request_seconds < 4 * EMAIL_TIMEOUT

        started = time.monotonic()
        run_ready_tasks()
        worker_seconds = time.monotonic() - started

        assert silent.connections == 1
        assert worker_seconds < 4, "the send must give up after EMAIL_TIMEOUT, not wait on the server"
        assert "timed out" in send_tasks("FAILED").get().traceback
        assert_send_failed_and_retry_is_scheduled(order)
        assert "timed out" in EmailDelivery.objects.get(order=order).last_error

    smtp(sink.port)
    make_retries_due()
    run_ready_tasks()

    assert_exactly_one_confirmation(sink, order)
    assert EmailDelivery.objects.get(order=order).attempts == 2
    make_retries_due()
    assert run_ready_tasks() == 0
    assert len(sink.messages) == 1


@pytest.mark.parametrize("refusal", ["421", "554", "connection refused"])
def test_smtp_that_refuses_fails_the_task_and_a_retry_sends_one_email(
    client, fake_stripe, order, smtp, sink, refusal
):
    server = ClosedPort() if refusal == "connection refused" else RefusingSmtpServer(code=int(refusal))
    with server:
        smtp(server.port)

        response, _ = pay_through_webhook(client, fake_stripe, order)
        assert response.status_code == 200
        assert server.connections == 0
        run_ready_tasks()

        assert_send_failed_and_retry_is_scheduled(order)
        error = EmailDelivery.objects.get(order=order).last_error
        assert (refusal in error) if refusal != "connection refused" else ("ConnectionRefused" in error)

        # Still refusing when the retry comes round: another failure, another (later) retry.
        make_retries_due()
        run_ready_tasks()
        assert send_tasks("FAILED").count() == 2
        assert send_tasks("READY").get().args_kwargs["kwargs"] == {"attempt": 3}

    smtp(sink.port)
    make_retries_due()
    run_ready_tasks()

    assert_exactly_one_confirmation(sink, order)


def test_message_refused_at_data_is_retried_and_sent_once(client, fake_stripe, order, smtp, sink):
    smtp(sink.port)
    sink.reject_next(times=1, answer="554 5.7.1 Message rejected")

    pay_through_webhook(client, fake_stripe, order)
    run_ready_tasks()

    assert sink.messages == []
    assert_send_failed_and_retry_is_scheduled(order)
    make_retries_due()
    run_ready_tasks()
    assert_exactly_one_confirmation(sink, order)


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: not an Exception, so no handler in the app sees it."""


def kill_worker_between_claim_and_send(monkeypatch, client, fake_stripe, order) -> None:
    """Pay, then let the email task claim its EmailDelivery and die before the SMTP conversation."""

    def die(order):
        raise WorkerKilled

    with monkeypatch.context() as patch:
        patch.setattr(emails, "confirmation_message", die)
        response, _ = pay_through_webhook(client, fake_stripe, order)
        assert response.status_code == 200
        run_ready_tasks()
    delivery = EmailDelivery.objects.get(order=order)
    assert delivery.claimed_at is not None and delivery.sent_at is None
    assert not send_tasks("READY").exists(), "a killed worker schedules nothing"


def age(order: Order, delivery_claim: dt.timedelta, paid: dt.timedelta) -> None:
    """Move the claim and the payment (the order's paid time derives from its payment) into the past."""
    now = timezone.now()
    EmailDelivery.objects.filter(order=order).update(claimed_at=now - delivery_claim)
    Payment.objects.filter(order=order).update(paid_at=now - paid)
    Order.objects.filter(pk=order.pk).update(paid_at=now - paid)


def test_worker_killed_between_claim_and_send_is_recovered_by_reconcile_with_one_email(
    monkeypatch, client, fake_stripe, order, smtp, sink
):
    smtp(sink.port)
    kill_worker_between_claim_and_send(monkeypatch, client, fake_stripe, order)
    age(
        order,
        delivery_claim=emails.CLAIM_TIMEOUT + dt.timedelta(minutes=1),
        paid=reconcile.OVERDUE_AFTER + dt.timedelta(minutes=1),
    )
    out = io.StringIO()

    call_command("reconcile_stripe", stdout=out)

    assert f"{order.reference}: confirmation not sent yet, enqueued again" in out.getvalue()
    assert send_tasks("READY").count() == 1
    run_ready_tasks()
    assert_exactly_one_confirmation(sink, order)

    # Reconcile again: nothing left to do, nothing sent twice.
    out = io.StringIO()
    call_command("reconcile_stripe", stdout=out)
    assert order.reference not in out.getvalue()
    run_ready_tasks()
    assert len(sink.messages) == 1


def test_worker_killed_with_its_task_still_running_is_re_enqueued_once_and_emails_once(
    monkeypatch, client, fake_stripe, order, smtp, sink
):
    smtp(sink.port)
    kill_worker_between_claim_and_send(monkeypatch, client, fake_stripe, order)
    # SIGKILL leaves the task row RUNNING (the worker never recorded the failure).
    send_tasks("FAILED").update(
        status="RUNNING",
        finished_at=None,
        started_at=timezone.now()
        - lease_for(confirmation.send_order_confirmation.module_path)
        - dt.timedelta(minutes=1),
    )
    age(
        order,
        delivery_claim=emails.CLAIM_TIMEOUT + dt.timedelta(minutes=1),  # the claim outlives the lease
        paid=lease_for(confirmation.send_order_confirmation.module_path) + dt.timedelta(minutes=1),
    )
    out = io.StringIO()

    call_command("reconcile_stripe", stdout=out)

    assert "worker lost, enqueued again" in out.getvalue()
    # Two ways back to the email (the lost task and the unconfirmed order): still one message.
    run_ready_tasks()
    assert_exactly_one_confirmation(sink, order)
    assert not send_tasks("RUNNING").exists()


def test_a_fresh_claim_is_not_taken_over_until_it_times_out(
    monkeypatch, client, fake_stripe, order, smtp, sink
):
    smtp(sink.port)
    kill_worker_between_claim_and_send(monkeypatch, client, fake_stripe, order)

    confirmation.send_order_confirmation.enqueue(order.pk)
    run_ready_tasks()

    assert sink.messages == [], "another worker may be talking to the mail server right now"
    assert send_tasks("FAILED").last().exception_class_path == "checkout.emails.EmailBusy"
    assert send_tasks("READY").count() == 1

    age(order, delivery_claim=emails.CLAIM_TIMEOUT + dt.timedelta(seconds=1), paid=dt.timedelta(0))
    make_retries_due()
    run_ready_tasks()
    assert_exactly_one_confirmation(sink, order)


@pytest.mark.parametrize("where", ["before converging", "inside the order transaction"])
def test_database_error_inside_the_handler_is_retried_and_confirms_once(
    monkeypatch, client, fake_stripe, order, smtp, sink, where
):
    smtp(sink.port)
    failures = []
    if where == "before converging":
        real = fulfilment.converge_session

        def flaky(session, **kwargs):
            if not failures:
                failures.append(session["id"])
                raise OperationalError("server closed the connection unexpectedly")
            return real(session, **kwargs)

        monkeypatch.setattr(fulfilment, "converge_session", flaky)
    else:
        real_note = states.note

        def flaky_note(order, kind, message, **kwargs):
            # The payment row is already written in this transaction when the status change is noted.
            if kind == "status" and not failures:
                failures.append(kind)
                raise OperationalError("terminating connection due to administrator command")
            return real_note(order, kind, message, **kwargs)

        monkeypatch.setattr(states, "note", flaky_note)

    response, _ = pay_through_webhook(client, fake_stripe, order)
    assert response.status_code == 200
    run_ready_tasks()

    assert failures
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert order.paid_at is None
    assert not order.payments.exists(), "the failed transaction must leave no half-written payment"
    assert sink.messages == []
    handler = DBTaskResult.objects.filter(task_path=tasks.handle_stripe_event.module_path)
    assert handler.get(status="FAILED").exception_class_path == "django.db.utils.OperationalError"
    assert handler.get(status="READY").args_kwargs["kwargs"] == {"attempt": 2}

    make_retries_due()
    run_ready_tasks()

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.paid_at is not None
    assert order.payments.count() == 1
    assert order.history.filter(kind="status").count() == 1
    assert_exactly_one_confirmation(sink, order)


def test_confirmation_subject_carries_the_order_reference(client, fake_stripe, order, smtp, sink):
    smtp(sink.port)

    pay_through_webhook(client, fake_stripe, order)
    run_ready_tasks()

    (message,) = sink.messages
    subject = str(message["Subject"])
    assert order.reference in subject
    assert "\n" not in subject and "\r" not in subject
    assert order.reference in message.get_body(preferencelist=("plain",)).get_content()


def test_running_the_send_task_twice_sends_one_email(client, fake_stripe, order, smtp, sink):
    smtp(sink.port)
    pay_through_webhook(client, fake_stripe, order)
    run_ready_tasks()
    assert len(sink.messages) == 1

    confirmation.send_order_confirmation.enqueue(order.pk)
    confirmation.send_order_confirmation.enqueue(order.pk)
    run_ready_tasks()
    direct = confirmation.send_order_confirmation.call(order.pk)

    assert direct == "skipped"
    assert_exactly_one_confirmation(sink, order)
    assert EmailDelivery.objects.filter(order=order).count() == 1
    assert list(send_tasks().values_list("return_value", flat=True).order_by("enqueued_at")) == [
        "sent",
        "skipped",
        "skipped",
    ]


def test_first_retry_waits_ten_seconds_then_doubles_as_documented():
    assert [background.retry_delay(n).total_seconds() for n in (1, 2, 3)] == [10, 20, 40]
