"""Separate queues: what talks to Stripe runs on "payments", what sends email on "mail", the rest on
"default"; a retry stays on its queue; a worker started for one queue never takes another's, and a worker
started without --queue-name (`make run`) takes them all."""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from access.tasks import send_sign_in_link
from common.tasks import DEFAULT_QUEUE, MAIL_QUEUE, PAYMENTS_QUEUE, QUEUES
from common.worker import ResilientWorker
from payments.tasks import handle_stripe_event
from tests.common import queue_tasks
from tests.test_docs import retrying_tasks

# The tasks that call Stripe (and send no email): the payments queue.
STRIPE_TASKS = {
    "payments.tasks.handle_stripe_event",
    "payments.tasks.sync_order",
    "payments.fees.record_payment_fees",
    "payments.staff_refunds.refund_in_full",
    "invoicing.issuing.issue_request_invoice",
    "invoicing.converge.void_request_invoice",
    "invoicing.cash.refresh_request_cash_balance",
    "invoicing.cash.refund_request_cash",
    "invoicing.withdrawal.withdraw_cancelled_request",
    "invoicing.withdrawal.expire_open_session",
    "credit_notes.tasks._issue_credit_notes",
    "corrections.tasks.issue_correction",
}


def queue_of(path: str) -> str:
    return import_string(path).queue_name


def worker_for(*queues: str) -> ResilientWorker:
    return ResilientWorker(
        queue_names=list(queues),
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"queue-test-{'-'.join(queues)}",
        excluded_queue_names=[],
    )


def test_the_backend_knows_exactly_the_three_queues():
    assert settings.TASKS["default"]["QUEUES"] == list(QUEUES)
    assert set(QUEUES) == {"default", "payments", "mail"}


def test_stripe_tasks_run_on_payments_emails_on_mail_and_the_rest_on_default():
    tasks = retrying_tasks()
    emails = {path for path in tasks if path.rpartition(".")[2].startswith("send_")} | {
        "payments.alerts.alert_finance"
    }

    assert tasks >= STRIPE_TASKS and len(emails) >= 15
    assert {path: queue_of(path) for path in STRIPE_TASKS} == dict.fromkeys(STRIPE_TASKS, PAYMENTS_QUEUE)
    assert {path: queue_of(path) for path in emails} == dict.fromkeys(emails, MAIL_QUEUE)
    rest = tasks - STRIPE_TASKS - emails
    assert {"access.tasks.converge_access", "access.enrolment.deliver_enrolment"} <= rest
    assert {path: queue_of(path) for path in rest} == dict.fromkeys(rest, DEFAULT_QUEUE)


@pytest.mark.django_db
def test_an_enqueued_task_lands_on_its_queue():
    handle_stripe_event.enqueue(1)
    send_sign_in_link.enqueue("buyer@example.com")

    assert dict(DBTaskResult.objects.values_list("task_path", "queue_name")) == {
        "payments.tasks.handle_stripe_event": "payments",
        "access.tasks.send_sign_in_link": "mail",
    }


@pytest.mark.django_db(transaction=True)
def test_a_retry_stays_on_its_queue(settings):
    settings.TASK_MAX_ATTEMPTS = 2
    queue_tasks.always_fails_on_payments.enqueue()

    assert worker_for(PAYMENTS_QUEUE)._run_one() is True

    rows = DBTaskResult.objects.order_by("enqueued_at")
    assert [(row.status, row.queue_name) for row in rows] == [("FAILED", "payments"), ("READY", "payments")]


@pytest.fixture
def one_on_each_queue(tmp_path):
    queue_tasks.touch_on_payments.enqueue(str(tmp_path), "payments")
    queue_tasks.touch_on_mail.enqueue(str(tmp_path), "mail")
    queue_tasks.touch_on_default.enqueue(str(tmp_path), "default")
    return tmp_path


def ran(folder) -> set[str]:
    return {path.name for path in folder.iterdir()}


@pytest.mark.django_db(transaction=True)
def test_a_worker_for_one_queue_never_takes_another_queues_tasks(one_on_each_queue):
    mail_worker = worker_for(MAIL_QUEUE)

    assert mail_worker._run_one() is True
    assert mail_worker._run_one() is None  # batch: nothing else for it

    assert ran(one_on_each_queue) == {"mail"}
    waiting = DBTaskResult.objects.filter(status="READY")
    assert sorted(waiting.values_list("queue_name", flat=True)) == ["default", "payments"]


@pytest.mark.django_db(transaction=True)
def test_the_command_runs_only_the_queue_it_is_given(one_on_each_queue):
    call_command("db_worker", "--queue-name", "payments", "--batch", "--no-reload", "--no-startup-delay")

    assert ran(one_on_each_queue) == {"payments"}


@pytest.mark.django_db(transaction=True)
def test_the_command_without_a_queue_runs_every_queue_as_make_run_does(one_on_each_queue):
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay")

    assert ran(one_on_each_queue) == {"payments", "mail", "default"}


def test_a_worker_for_a_queue_that_does_not_exist_refuses_to_start():
    with pytest.raises(CommandError, match="Unknown queue paymnts"):
        call_command("db_worker", "--queue-name", "paymnts", "--batch", "--no-reload")
