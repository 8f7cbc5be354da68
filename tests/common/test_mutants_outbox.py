"""Issue 34's mutant of common.outbox: a failed send releases only its own claim, never a newer one another
worker took over after this claim timed out (so a third worker cannot send the same email again). Once in
order on any database, and with real workers racing on PostgreSQL."""

import datetime as dt
import smtplib
import threading
import time

import pytest
from django.db import connection, connections, transaction

from checkout.models import EmailDelivery
from common.outbox import Busy, claim_row, deliver_once, release_row
from tests.factories import make_order, make_product

TIMEOUT = dt.timedelta(milliseconds=200)


def delivery() -> EmailDelivery:
    return EmailDelivery.objects.create(
        order=make_order([(make_product(), 1)]), purpose="confirmation", recipient="buyer@example.com"
    )


def claim(pk: int) -> EmailDelivery:
    with transaction.atomic():
        row = EmailDelivery.objects.select_for_update().get(pk=pk)
        claim_row(row, timeout=TIMEOUT, busy=Busy, what="the email")
        return row


@pytest.mark.django_db
def test_a_late_failure_leaves_the_newer_claim_of_another_worker_in_place():
    """Kills issue-34 mutant: common/outbox release dropping another worker's newer claim (39)."""
    row = delivery()
    first = claim(row.pk)
    EmailDelivery.objects.filter(pk=row.pk).update(claimed_at=first.claimed_at - 2 * TIMEOUT)
    first.claimed_at -= 2 * TIMEOUT  # the first worker's claim, timed out
    second = claim(row.pk)

    release_row(first, smtplib.SMTPServerDisconnected("gone"))

    assert EmailDelivery.objects.get(pk=row.pk).claimed_at == second.claimed_at
    with pytest.raises(Busy):
        claim(row.pk)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent workers need PostgreSQL")
def test_a_worker_whose_claim_timed_out_cannot_free_the_email_for_a_third_send():
    """Kills issue-34 mutant: common/outbox release dropping another worker's newer claim (39, on
    PostgreSQL). Worker A claims and hangs in its send past the claim timeout; worker B takes the row over
    and is sending when A's send fails and A releases: the row must stay B's, so worker C finds it busy and
    the email goes out once more (B's), not twice."""
    row = delivery()
    sends: list[str] = []
    a_sending = threading.Event()
    b_sending = threading.Event()
    a_released = threading.Event()
    c_outcome: list[str] = []

    def worker_a_send(claimed: EmailDelivery) -> None:
        sends.append("a")
        a_sending.set()
        b_sending.wait(timeout=10)
        raise smtplib.SMTPServerDisconnected("the mail server went away")

    def worker_a_release(claimed: EmailDelivery, exc: BaseException) -> None:
        release_row(claimed, exc)
        a_released.set()

    def worker_c() -> None:
        try:
            deliver_once(claim=lambda: claim(row.pk), send=lambda r: sends.append("c"), record=record)
            c_outcome.append("sent")
        except Busy:
            c_outcome.append("busy")
        finally:
            connections.close_all()

    def worker_b_send(claimed: EmailDelivery) -> None:
        sends.append("b")
        b_sending.set()
        a_released.wait(timeout=10)
        third = threading.Thread(target=worker_c)  # while B is still sending
        third.start()
        third.join(timeout=10)

    def record(claimed: EmailDelivery) -> None:
        EmailDelivery.objects.filter(pk=claimed.pk).update(sent_at=claimed.claimed_at)

    def run(send, release=release_row) -> None:
        try:
            deliver_once(claim=lambda: claim(row.pk), send=send, record=record, release=release)
        except smtplib.SMTPException:
            pass
        finally:
            connections.close_all()

    worker_a = threading.Thread(target=run, args=(worker_a_send, worker_a_release))
    worker_a.start()
    a_sending.wait(timeout=10)
    time.sleep(TIMEOUT.total_seconds() * 1.5)  # A's claim times out while it hangs
    worker_b = threading.Thread(target=run, args=(worker_b_send,))
    worker_b.start()
    for worker in (worker_a, worker_b):
        worker.join(timeout=30)

    assert c_outcome == ["busy"]
    assert sends == ["a", "b"]
    assert EmailDelivery.objects.get(pk=row.pk).sent_at is not None
