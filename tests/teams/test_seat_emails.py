"""A seat's emails speak of what the seat gives: a Level I seat has no files, so its access email, its
reminder and its "access has ended" say nothing of downloads; a kit seat's say where its downloads are."""

import re

import pytest
from django.core import mail

from access import grants
from access.models import Grant
from teams import emails, seats
from tests.checkout.conftest import run_ready_tasks

pytestmark = pytest.mark.django_db
DOWNLOAD = re.compile(r"download", re.IGNORECASE)


def seat_emails(order) -> dict[str, object]:
    """Ana's access email, her reminder and her "access has ended", for a seat of `order`."""
    token = Grant.objects.filter(order=order, seat=2).first().token
    seats.assign_seat(grant_token=token, buyer_email=order.email, name="Ana", email="ana@studio.example")
    run_ready_tasks()
    emails.send_seat_reminder(order.pk, "ana@studio.example", "seat-reminder-test")
    held = Grant.objects.filter(order=order, holder_email="ana@studio.example").values_list("pk", flat=True)
    grants.revoke_grants(held, reason="revoked by staff", source="staff:test")
    run_ready_tasks()
    given, reminder, ended = (m for m in mail.outbox if m.to == ["ana@studio.example"])
    assert "access" in given.subject and "waiting" in reminder.subject and "ended" in ended.subject
    return {"given": given, "reminder": reminder, "ended": ended}


def parts(message) -> tuple[str, str]:
    [(html, _)] = message.alternatives
    return message.body, html


def test_a_level_i_seat_emails_say_nothing_of_downloads(paid_order):
    order = paid_order("level-i", 3)

    for name, message in seat_emails(order).items():
        for part in parts(message):
            assert "CPMA Level I Certification" in part, name
            assert not DOWNLOAD.search(part), f"the {name} email speaks of downloads"


def test_a_kit_seat_emails_say_where_its_downloads_are(paid_order):
    order = paid_order("resume-kit", 2)

    sent = seat_emails(order)

    for part in (*parts(sent["given"]), *parts(sent["reminder"])):
        assert "Your kit downloads and these instructions are on your purchases page" in part
    for part in parts(sent["ended"]):
        assert "Download links for these products no longer work" in part
