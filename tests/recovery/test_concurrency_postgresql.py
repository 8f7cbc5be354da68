"""Concurrent workers deciding about expired sessions: one reminder or none, never two (PostgreSQL: row
locks and concurrent transactions; SQLite serialises writers). Each test holds the contended row lock itself
until both workers wait for it, so they truly overlap (a barrier alone may let one finish first)."""

import threading
import time

from django.db import connection, connections, transaction
from django.utils import timezone

from checkout.models import Order
from recovery import decisions
from recovery.models import RecoveryConsent, Reminder, ReminderLock
from tests.concurrency import POSTGRESQL_ONLY
from tests.factories import make_order

pytestmark = POSTGRESQL_ONLY


def wait_for_lock_waits(count: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is a snapshot
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.02)
    raise AssertionError("the deciding workers never waited for the lock")


def consented_expired_order(product, email: str) -> Order:
    order = make_order([(product, 1)], status="expired", email="")
    Order.objects.filter(pk=order.pk).update(stripe_session_id=f"cs_test_race_{order.pk}")
    RecoveryConsent.objects.create(order=order, email=email, text_version="v", consented_at=timezone.now())
    return order


def decide_in_threads(order_ids: list[int]) -> tuple[list[threading.Thread], list[str]]:
    outcomes: list[str] = []

    def run(order_id: int) -> None:
        try:
            outcomes.append(decisions.decide(order_id))
        except Exception as exc:  # shown by the assertion on outcomes
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(pk,)) for pk in order_ids]
    for thread in threads:
        thread.start()
    return threads, outcomes


def test_two_workers_deciding_two_sessions_of_one_buyer_send_one_reminder(catalog, settings):
    settings.RECOVERY_HOLDOUT_PERCENT = 0
    first = consented_expired_order(catalog["level-i"], "producer@example.com")
    second = consented_expired_order(catalog["level-i"], "producer@example.com")
    lock = ReminderLock.objects.create(email="producer@example.com", product=catalog["level-i"])

    with transaction.atomic():
        ReminderLock.objects.select_for_update().get(pk=lock.pk)  # both workers must queue behind this
        threads, outcomes = decide_in_threads([first.pk, second.pk])
        wait_for_lock_waits(2)
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(outcomes) == ["send", "skipped"]
    assert Reminder.objects.filter(decision=Reminder.Decision.SEND).count() == 1


def test_two_workers_deciding_the_same_session_take_one_decision(catalog, settings):
    settings.RECOVERY_HOLDOUT_PERCENT = 0
    order = consented_expired_order(catalog["level-i"], "producer@example.com")

    with transaction.atomic():
        Order.objects.select_for_update().get(pk=order.pk)
        threads, outcomes = decide_in_threads([order.pk, order.pk])
        wait_for_lock_waits(2)
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(outcomes) == ["decided already", "send"]
    assert Reminder.objects.count() == 1
