"""The weekly roster summary to the buyer: sent while seats are not claimed or not started, once a week,
with an opt-out link whose GET only shows a button."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from access.models import Grant
from checkout.models import EmailDelivery
from learning.models import SummaryOptOut
from tests.checkout.conftest import run_ready_tasks
from tests.learning.conftest import assign, event, seated_order

BUYER = "head@studio.example"
OPT_OUT = re.compile(r"http://testserver(/seat-summary/stop/[^/\s]+/)")


@pytest.fixture
def order(catalog):
    order = seated_order(catalog["level-i"], 4, email=BUYER)
    assign(order, 1, BUYER)
    assign(order, 2, "ana@studio.example", "Ana Ruiz")
    assign(order, 3, "bo@studio.example", "Bo Lind")
    return order


def summaries() -> list:
    return [m for m in mail.outbox if m.to == [BUYER] and "Seats of order" in m.subject]


def test_the_buyer_hears_weekly_who_has_not_started_and_only_once_a_week(order, send):
    send(event("learner.started", "ana@studio.example"))
    mail.outbox.clear()

    call_command("send_roster_summaries", verbosity=0)
    run_ready_tasks()
    call_command("send_roster_summaries", verbosity=0)
    run_ready_tasks()

    [email] = summaries()
    assert email.subject == f"Seats of order {order.reference}: 1 not claimed, 1 not started"
    assert "Bo Lind (bo@studio.example)" in email.body and "Ana Ruiz" not in email.body
    assert "head@studio.example (head" not in email.body  # the buyer's own seat is not theirs to chase
    assert f"/purchases/orders/{order.reference}/seats/" in email.body
    assert OPT_OUT.search(email.body) and OPT_OUT.search(email.alternatives[0][0])


def test_no_summary_once_every_seat_is_claimed_and_started(order, send):
    assign(order, 4, "cy@studio.example")
    send(*(event("learner.started", f"{who}@studio.example") for who in ("ana", "bo", "cy")))
    mail.outbox.clear()

    call_command("send_roster_summaries", verbosity=0)
    run_ready_tasks()

    assert summaries() == []


def test_the_opt_out_link_shows_a_button_and_only_the_post_stops_the_summaries(order):
    call_command("send_roster_summaries", verbosity=0)
    run_ready_tasks()
    path = OPT_OUT.search(summaries()[0].body).group(1)

    shown = Client().get(path)
    assert shown.status_code == 200 and "Stop the weekly summary" in shown.text
    assert not SummaryOptOut.objects.exists()
    done = Client().post(path)
    mail.outbox.clear()
    SummaryOptOut.objects.get(order=order)
    EmailDelivery.objects.filter(purpose__startswith="roster-summary-").delete()  # as if a week went by
    call_command("send_roster_summaries", verbosity=0)
    run_ready_tasks()

    assert done.status_code == 200 and "will not send you the weekly summary" in done.text
    assert summaries() == []
    assert Client().get(path[:-5] + "xxxx/").status_code == 404


def test_the_summary_s_figures_agree_with_the_people_it_names(order, send):
    """Ana was only assigned but started on the course platform; Cy claimed but has not started."""
    assign(order, 4, "cy@studio.example", "Cy Gaffer")
    Grant.objects.filter(holder_email="cy@studio.example").update(claimed_at=timezone.now())
    send(event("learner.started", "ana@studio.example"))
    mail.outbox.clear()

    call_command("send_roster_summaries", verbosity=0)
    run_ready_tasks()

    [email] = summaries()
    assert email.subject == f"Seats of order {order.reference}: 0 not claimed, 2 not started"
    for text in (email.body, email.alternatives[0][0]):
        assert f"summary of the 4 seats of order {order.reference}." in text
        assert "2 people hold a seat and have not started yet:" in text
        assert "Bo Lind (bo@studio.example)" in text and "Cy Gaffer (cy@studio.example)" in text
        assert "Ana Ruiz" not in text and "nobody yet" not in text


def test_an_opt_out_after_the_summary_was_queued_still_stops_it(order):
    call_command("send_roster_summaries", verbosity=0)
    SummaryOptOut.objects.create(order=order)

    run_ready_tasks()

    assert summaries() == []
