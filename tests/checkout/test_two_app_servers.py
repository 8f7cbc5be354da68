"""Two real app servers (separate gunicorn processes, production settings) receive the same Stripe events
and two real background workers (`manage.py db_worker` processes) handle them, all against one PostgreSQL
database: the order is paid once, logged once, recorded once and emailed once.

This is the multi-instance deployment of docs/operations.md "Deploying and scaling": nothing that keeps fulfilment
single may live in one process's memory, only in the database (the unique event id and the order row lock).
"""

import json
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from checkout.models import Order
from payments.models import StripeEvent
from tests.checkout.conftest import WEBHOOK_SECRET, WEBHOOK_URL
from tests.gunicorn_server import GunicornServer, running_gunicorn
from tests.stripe_fake import FakeStripe, make_event, sign_payload

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two app processes sharing one database need PostgreSQL (SQLite serialises writers and "
        "has no row locks)",
    ),
]

ROUNDS = 5
ROOT = Path(__file__).resolve().parents[2]


def app_database_url() -> str:
    """The database pytest-django created for this run, as the app servers' DATABASE_URL."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or "5432"
    return f"postgres://{credentials}@{host}:{port}/{quote(db['NAME'], safe='')}"


def run_worker(env_overrides: dict[str, str]) -> subprocess.Popen:
    """`manage.py db_worker --batch` in its own process with the app servers' environment."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SECURE_", "PUBLIC_"))}
    env.update(env_overrides)
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--interval", "0", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def post_webhook(server: GunicornServer, body: bytes) -> tuple[int, str]:
    request = urllib.request.Request(
        server.url + WEBHOOK_URL,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Stripe-Signature": sign_payload(body, WEBHOOK_SECRET)},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def deliver_together(deliveries: list[tuple[GunicornServer, bytes]]) -> list[tuple[int, str]]:
    """POST every (server, body) from its own thread, all released at the same moment by a barrier."""
    barrier = threading.Barrier(len(deliveries))
    results: list = [None] * len(deliveries)

    def work(index: int, server: GunicornServer, body: bytes) -> None:
        barrier.wait()
        results[index] = post_webhook(server, body)

    threads = [threading.Thread(target=work, args=(i, *d)) for i, d in enumerate(deliveries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def checkout_log(stdout: str) -> list[str]:
    """The messages the `checkout` logger wrote (JSON lines) in one process's stdout."""
    entries = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    return [entry["message"] for entry in entries if entry.get("logger") == "checkout"]


def test_two_app_servers_fulfil_the_same_events_once(catalog, buy, fake_stripe: FakeStripe):
    rounds = []
    for number in range(ROUNDS):
        response, order = buy("bundle", number + 1)
        assert response.status_code == 303
        session = fake_stripe.complete_session(order.stripe_session_id, email=f"buyer{number}@example.com")
        # The completion event, and a second event (another id) that fulfils the same order: the first
        # races on the event-id record, the pair races on the order row.
        completed = make_event("checkout.session.completed", session)
        succeeded = make_event("checkout.session.async_payment_succeeded", session)
        rounds.append((order, completed, succeeded))

    app_env = {
        "DATABASE_URL": app_database_url(),
        "EMAIL_URL": "consolemail://",
        "STRIPE_SECRET_KEY": "sk_test_fake_secret_key",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_fake_publishable_key",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": fake_stripe.url,
        "CONN_MAX_AGE": "0",
        "LOG_LEVEL": "INFO",
    }
    with ExitStack() as stack:
        first = stack.enter_context(running_gunicorn(**app_env))
        second = stack.enter_context(running_gunicorn(**app_env))
        answers = []
        for _, completed, succeeded in rounds:
            bodies = [json.dumps(event).encode() for event in (completed, succeeded)]
            # Each event to each process, the four requests at once (each process has two threads).
            answers.append(
                deliver_together([(server, body) for body in bodies for server in (first, second)])
            )
        app_logs = [first.log(), second.log()]
    # Two workers drain the queue side by side (SELECT … FOR UPDATE SKIP LOCKED keeps each task single).
    workers = [run_worker(app_env) for _ in range(2)]
    worker_logs = [worker.communicate(timeout=120)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], worker_logs
    stdout = app_logs + worker_logs

    messages = [message for log in stdout for message in checkout_log(log)]
    # Both processes served deliveries (their JSON access logs).
    for server_stdout in app_logs:
        assert '"path": "/stripe/webhook/"' in server_stdout
    for (order, completed, succeeded), round_answers in zip(rounds, answers, strict=True):
        assert [status for status, _ in round_answers] == [200] * 4, round_answers
        texts = [text for _, text in round_answers]
        # Per event: one process acted on it, the other saw a duplicate.
        assert sorted(texts[:2]) == ["duplicate", "processed"], round_answers
        assert sorted(texts[2:]) == ["duplicate", "processed"], round_answers

        order.refresh_from_db()
        assert order.status == Order.Status.PAID
        assert order.confirmation_sent_at is not None
        for event in (completed, succeeded):
            assert StripeEvent.objects.filter(event_id=event["id"]).count() == 1
        paid_lines = [
            m for m in messages if re.fullmatch(rf"order {order.reference} \S+: pending -> paid", m)
        ]
        assert len(paid_lines) == 1, paid_lines
        assert messages.count(f"order {order.reference}: order-confirmation email sent") == 1
        subject = f"Subject: Your CPMA order {order.reference} is confirmed"
        assert sum(server_stdout.count(subject) for server_stdout in stdout) == 1
