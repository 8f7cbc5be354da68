"""The roster on the seat manager: what each holder's course platform says, beside the seat, in the page,
its filters and the CSV; a refund after passing; the holder who bought their own seat; 50 seats in a
bounded number of queries; the per-seat nudge."""

import re
import time

import pytest
from django.core import mail
from django.test import Client
from django.utils import dateformat, timezone

from access import grants
from access.models import Grant
from checkout.models import EmailDelivery, Order
from learning.models import Certificate, Progress
from payments.models import Refund
from teams import claims, seats
from tests.checkout.conftest import run_ready_tasks
from tests.learning.conftest import assign, event, seated_order

BUYER = "head@studio.example"


@pytest.fixture
def crew(catalog, client, sign_in, send):
    """Five Level I seats: Ana passed with a certificate, Bo is at 40%, Cy has not started, two free."""
    order = seated_order(catalog["level-i"], 5, email=BUYER)
    assign(order, 1, BUYER, "Dana Okafor")
    for seat, who in ((2, "ana"), (3, "bo"), (4, "cy")):
        assign(order, seat, f"{who}@studio.example", who.title())
    t = int(time.time())
    send(
        event("learner.started", "ana@studio.example", created=t - 900),
        event("learner.passed", "ana@studio.example", created=t - 600),
        event("certificate.issued", "ana@studio.example", certificate={"id": "c1", "issued": "2026-12-01"}),
        event("learner.progressed", "bo@studio.example", percent=40),
    )
    sign_in(BUYER)
    mail.outbox.clear()
    return order


def seats_page(client, order, **query):
    return client.get(f"/purchases/orders/{order.reference}/seats/", query)


def test_each_seat_shows_started_progress_passed_and_the_certificate_link(crew, client):
    page = seats_page(client, crew).text
    code = Certificate.objects.get().code

    assert "passed " in page and f'href="/verify/{code}/"' in page
    assert "40% · started" in page
    assert "score" not in page.casefold()
    # Only the holder who has not started gets a Nudge button; the buyer's own seat never does.
    nudges = re.findall(r"/purchases/seats/([^/]+)/nudge/", page)
    assert nudges == [Grant.objects.get(holder_email="cy@studio.example").token]


def test_the_filters_keep_the_same_columns(crew, client):
    passed = seats_page(client, crew, show="passed").text
    studying = seats_page(client, crew, show="learning").text

    assert "ana@studio.example" in passed and "bo@studio.example" not in passed
    assert "bo@studio.example" in studying and "ana@studio.example" not in studying
    assert "Holder and course progress" in passed and "Holder and course progress" in studying


def test_the_csv_carries_the_learning_columns(crew, client):
    rows = client.get(f"/purchases/orders/{crew.reference}/seats.csv").content.decode().splitlines()
    code = Certificate.objects.get().code

    assert rows[0].endswith("Claimed,Started,Progress %,Passed,Certificate")
    ana = next(r for r in rows if "ana@studio.example" in r)
    bo = next(r for r in rows if "bo@studio.example" in r)
    cy = next(r for r in rows if "cy@studio.example" in r)
    assert ana.endswith(f",100,{ana.split(',')[-2]},http://testserver/verify/{code}/")
    assert ",40,," in bo and cy.endswith(",,,,,")


def test_a_refund_after_passing_leaves_the_certificate_valid_and_the_row_shows_the_refund(crew, client):
    Refund.objects.create(
        order=crew,
        stripe_refund_id="re_test_1",
        amount_cents=crew.total_cents,
        currency=crew.currency,
        status="succeeded",
        created=timezone.now(),
    )
    crew.status, crew.amount_refunded_cents = Order.Status.REFUNDED, crew.total_cents
    crew.save(update_fields=["status", "amount_refunded_cents"])
    grants.converge_access(crew.pk)
    run_ready_tasks()

    page = seats_page(client, crew).text
    row = next(
        r
        for r in client.get(f"/purchases/orders/{crew.reference}/seats.csv").content.decode().splitlines()
        if "ana@" in r
    )
    certificate = Certificate.objects.get()

    assert Grant.objects.get(holder_email="ana@studio.example").state == Grant.State.REVOKED
    assert certificate.valid
    assert "access ended (refunded in full)" in row and row.endswith(f"/verify/{certificate.code}/")
    assert "(refunded in full)" in page
    assert "<strong>Valid</strong>" in client.get(f"/verify/{certificate.code}/").text


def test_a_holder_who_bought_their_own_seat_is_on_nobodys_roster(crew, client, catalog):
    seated_order(catalog["level-i"], 1, email="bo@studio.example")
    assign(Grant.objects.filter(order__email="bo@studio.example").first().order, 1, "bo@studio.example")

    page = seats_page(client, crew).text
    bo = next(
        r
        for r in client.get(f"/purchases/orders/{crew.reference}/seats.csv").content.decode().splitlines()
        if "bo@" in r
    )

    assert "40%" not in page and "their own seat (not shown)" in page
    assert bo.endswith(",,,,,")


def test_fifty_seats_in_a_bounded_number_of_queries(
    catalog, client, sign_in, send, django_assert_max_num_queries
):
    order = seated_order(catalog["level-i"], 50, email=BUYER)
    for seat in range(1, 51):
        assign(order, seat, f"p{seat}@studio.example")
    send(*(event("learner.progressed", f"p{seat}@studio.example", percent=seat) for seat in range(1, 51)))
    send(
        *(
            event(
                "certificate.issued",
                f"p{s}@studio.example",
                certificate={"id": f"c{s}", "issued": "2026-12-01"},
            )
            for s in range(1, 26)
        )
    )
    sign_in(BUYER)

    with django_assert_max_num_queries(25):
        page = seats_page(client, order)
    with django_assert_max_num_queries(20):
        table = client.get(f"/purchases/orders/{order.reference}/seats.csv")

    assert page.text.count("/verify/") == 25
    assert table.content.decode().count("/verify/") == 25


def test_nudge_sends_one_reminder_per_seat_a_day_and_only_by_post(crew, client):
    cy = Grant.objects.get(holder_email="cy@studio.example")
    url = f"/purchases/seats/{cy.token}/nudge/"

    assert client.get(url).status_code == 405
    first = client.post(url)
    run_ready_tasks()
    second = client.post(url, follow=True)
    run_ready_tasks()

    assert first.status_code == 302
    assert [m.to for m in mail.outbox] == [["cy@studio.example"]]
    assert "already nudged today" in second.text
    assert (
        EmailDelivery.objects.filter(recipient="cy@studio.example", purpose__startswith="seat-nudge-").count()
        == 1
    )


def test_nobody_else_can_nudge(crew, client, sign_in):
    cy = Grant.objects.get(holder_email="cy@studio.example")
    sign_in("ana@studio.example")

    assert client.post(f"/purchases/seats/{cy.token}/nudge/").status_code == 404
    run_ready_tasks()
    assert mail.outbox == [] or all(m.to != ["cy@studio.example"] for m in mail.outbox)


def test_the_access_email_and_claim_page_tell_the_learner_what_the_buyer_sees(catalog, client, sign_in):
    order = seated_order(catalog["level-i"], 3, email=BUYER)
    sign_in(BUYER)
    given, free = Grant.objects.filter(order=order, seat__in=[2, 3]).order_by("seat")
    seats.assign_seat(grant_token=given.token, buyer_email=BUYER, name="Ana", email="ana2@studio.example")
    run_ready_tasks()
    [email] = [m for m in mail.outbox if m.to == ["ana2@studio.example"]]
    claims.take_claim_link(grant_token=free.token, buyer_email=BUYER)
    page = Client().get(f"/purchases/claim/{claims.claim_token(Grant.objects.get(pk=free.pk))}/")

    for text in (email.body, email.alternatives[0][0]):
        assert "how far through it you are (as a percentage) and the date you passed" in text
        assert "never your scores" in text
    assert page.status_code == 200 and "They never see your scores or answers." in page.text


def _day(value) -> str:
    return dateformat.format(timezone.localtime(value), "j M Y")


def test_a_passed_seat_still_shows_when_they_started_beside_when_they_passed(crew, client):
    ana = Progress.objects.get(holder_email="ana@studio.example")
    code = Certificate.objects.get().code

    page = seats_page(client, crew).text

    shown = (
        f'100% · started {_day(ana.started_at)} · passed {_day(ana.passed_at)} · <a href="/verify/{code}/">'
    )
    assert shown in page


def test_the_csv_claimed_column_is_the_claim_date(crew, client):
    Grant.objects.filter(holder_email="bo@studio.example").update(claimed_at=timezone.now())

    rows = client.get(f"/purchases/orders/{crew.reference}/seats.csv").content.decode().splitlines()
    header = rows[0].split(",")
    bo = next(r for r in rows if "bo@studio.example" in r).split(",")
    ana = next(r for r in rows if "ana@studio.example" in r).split(",")

    assert bo[header.index("Claimed")] == timezone.localdate().isoformat()
    assert ana[header.index("Claimed")] == ""


def test_counts_filter_and_reminders_follow_the_course_platform(crew, client):
    """Ana and Bo were only assigned but the platform says they started; Cy claimed but has not started."""
    Grant.objects.filter(holder_email="cy@studio.example").update(claimed_at=timezone.now())

    page = seats_page(client, crew).text
    waiting = seats_page(client, crew, show="waiting").text

    assert "5 seats: 2 started, 2 assigned and not started, 1 free." in page  # the buyer's own seat too
    assert "cy@studio.example" in waiting and "ana@studio.example" not in waiting
    assert "bo@studio.example" not in waiting
    assert "Send 1 reminder" in page and "the course platform has not told us they started" in page
    client.post(f"/purchases/orders/{crew.reference}/seats/remind/")
    run_ready_tasks()
    assert [m.to for m in mail.outbox] == [["cy@studio.example"]]


def test_nobody_who_started_or_holds_their_own_seat_can_be_nudged(crew, client):
    for who in ("bo@studio.example", BUYER):
        grant = Grant.objects.get(order=crew, holder_email=who)
        refused = client.post(f"/purchases/seats/{grant.token}/nudge/", follow=True)
        assert refused.status_code == 200
        assert "already started" in refused.text or "That seat is yours" in refused.text
    run_ready_tasks()

    assert mail.outbox == []
    assert not EmailDelivery.objects.filter(purpose__startswith="seat-nudge-").exists()


def test_a_nudge_shows_on_the_row_as_a_reminder(crew, client):
    cy = Grant.objects.get(holder_email="cy@studio.example")
    client.post(f"/purchases/seats/{cy.token}/nudge/")
    run_ready_tasks()

    page = seats_page(client, crew).text
    row = re.search(r'<tr data-seat="4".*?</tr>', page, re.S).group(0)

    assert f"reminded {dateformat.format(timezone.localdate(), 'j M')}" in row


def test_a_kit_seat_s_access_email_promises_no_roster(catalog, client, sign_in):
    kits = seated_order(catalog["resume-kit"], 2, email=BUYER)
    sign_in(BUYER)
    seat = Grant.objects.get(order=kits, seat=2)
    seats.assign_seat(
        grant_token=seat.token, buyer_email=BUYER, name="Kit Holder", email="kit@studio.example"
    )
    run_ready_tasks()

    [email] = [m for m in mail.outbox if m.to == ["kit@studio.example"]]
    for text in (email.body, email.alternatives[0][0]):
        assert "scores" not in text and "how far through it" not in text
