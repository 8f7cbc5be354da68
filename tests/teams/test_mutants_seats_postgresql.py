"""Issue 34's mutant of claim links that survived on PostgreSQL too: a refund and a claim racing, each in its
own thread and connection."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from access.models import Grant
from checkout.models import Order
from teams import claims, seats

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and concurrent transactions need PostgreSQL (SQLite serialises writers)",
    ),
]


def wait_for_a_lock_wait(timeout: float = 10.0) -> None:
    """Until another connection of this database waits for a row lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("nobody waited for the order's lock")


def test_a_refund_landing_while_a_claim_waits_for_the_order_lock_refuses_the_claim(team_order):
    """Kills issue-34 mutant: teams/claims a claim under lock not rechecking that the order still gives
    access (237, on PostgreSQL).

    The refund holds the order's row lock; the claim has passed the claim page's check (the order was paid)
    and waits for that lock. The refund commits: the claim, now holding the lock, must see the refunded
    order and refuse, although the seat's grants are still unassigned (access converges later)."""
    seat = Grant.objects.filter(order=team_order, seat=3).first()
    locked = threading.Event()
    go_on = threading.Event()
    outcome: list = []

    def refund() -> None:
        try:
            with transaction.atomic():
                order = Order.objects.select_for_update().get(pk=team_order.pk)
                locked.set()
                go_on.wait(timeout=10)
                order.status = Order.Status.REFUNDED
                order.save(update_fields=["status"])
        finally:
            connections.close_all()

    def claim() -> None:
        try:
            locked.wait(timeout=10)
            claims.claim_seat(
                line_id=seat.line_id, seat_number=seat.seat, name="Cy", email="cy@studio.example"
            )
            outcome.append("claimed")
        except seats.SeatUnavailable as exc:
            outcome.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refund), threading.Thread(target=claim)]
    for thread in threads:
        thread.start()
    try:
        locked.wait(timeout=10)
        wait_for_a_lock_wait()
    finally:
        go_on.set()
        for thread in threads:
            thread.join(timeout=30)

    assert outcome == ["This order no longer gives access."]
    assert not Grant.objects.filter(holder_email="cy@studio.example").exists()
