"""Seat lists as the buyer meets them (issue 32): a spreadsheet paste previewed with what was understood
and its problems counted, free seats whose claim links went out kept for their recipients, holders who
opened their access counted as started, claimed seats explained, the table searchable, and a claim page
that says the same whoever holds a seat."""

import re

import pytest
from django.core import mail
from django.test import Client

from access.models import EnrolmentDelivery, Grant
from teams import claims, seats
from tests.access.conftest import run_ready_tasks
from tests.access.test_purchase_links import links_in
from tests.teams.test_seat_manager import confirm, holders, page_of, preview


@pytest.fixture
def team_order(paid_order, client, sign_in):
    """A paid 5-seat Level I (course) order, its buyer signed in, holding seat 1 (the buyer's own)."""
    order = paid_order("level-i", 5, name="Dana Okafor")
    sign_in("buyer@example.com")
    mail.outbox.clear()
    return order


def seat(order, number: int) -> Grant:
    return Grant.objects.filter(order=order, seat=number).first()


def take_link(client, order, number: int):
    return client.post(f"/purchases/seats/{seat(order, number).token}/claim-link/")


def test_a_spreadsheet_paste_is_previewed_with_what_was_understood_and_assigned(team_order, client):
    people = (
        "First name\tLast name\tWork email\n"
        "Raj\tPatel\traj@studio.example\n"
        "ana@studio.example, bo@studio.example\n"
        "Cy <c\u200by@studio.example>\n"
    )

    shown = preview(client, team_order, people)
    done = confirm(client, team_order, people, shown)

    assert shown.status_code == 200
    assert "data-invalid-lines" not in shown.text and "cannot be given a seat" not in shown.text
    assert "Line 1 read as the names of the columns, not as a person." in shown.text
    assert "2 people found on line 3." in shown.text
    assert "Line 4 had an invisible character, removed." in shown.text
    assert "Assign 4 seats" in shown.text
    assert done.status_code == 302
    assert holders(team_order) == {
        1: "buyer@example.com",
        2: "raj@studio.example",
        3: "ana@studio.example",
        4: "bo@studio.example",
        5: "cy@studio.example",
    }
    assert seat(team_order, 2).holder_name == "Raj Patel"


def test_the_preview_puts_its_assign_button_first_and_counts_repeated_problems(team_order, client):
    people = "\n".join(["raj@studio.example", "Ana", "Bo", "Cy", "Dee", "x <not-an-address>"])

    shown = preview(client, team_order, people)

    assert shown.text.index("Assign 1 seat") < shown.text.index("data-invalid-lines")
    assert "4 lines without an email address</strong>: lines 2, 3, 4, 5." in shown.text
    assert "Line 6, “x &lt;not-an-address&gt;”: “not-an-address” is not a valid email address." in shown.text
    assert shown.text.count("no email address on this line") == 4  # each under "Show each line"


def test_a_list_fills_seats_whose_claim_links_have_not_gone_out_first(team_order, client):
    taken = take_link(client, team_order, 2)
    page = client.get(page_of(team_order))

    shown = preview(client, team_order, "raj@studio.example\nana@studio.example")
    confirm(client, team_order, "raj@studio.example\nana@studio.example", shown)

    assert taken.status_code == 302 and seat(team_order, 2).claim_link_out_at is not None
    assert page.text.count("/purchases/claim/") == 1 and page.text.count("Get a claim link to send") == 3
    assert "data-links-out" not in shown.text
    assert holders(team_order) == {1: "buyer@example.com", 3: "raj@studio.example", 4: "ana@studio.example"}
    assert seat(team_order, 2).state == Grant.State.UNASSIGNED


def test_when_only_seats_with_claim_links_out_are_left_the_preview_says_so(team_order, client):
    for number in (2, 3, 4, 5):
        take_link(client, team_order, number)
    take_link(client, team_order, 2)  # again: the first time counts

    shown = preview(client, team_order, "raj@studio.example")
    mixed = preview(client, team_order, "\n".join(f"p{n}@studio.example" for n in range(4)))

    assert (
        "Every free seat left has a claim link out: this list also takes seat 2, whose claim link you took"
        in (shown.text)
    )
    assert "Whoever you sent it to will find the seat taken." in shown.text
    assert "takes seats 2, 3, 4, 5, whose claim links you took to send" in mixed.text
    assert team_order.history.filter(message__contains="Claim link of seat 2").count() == 1


def test_a_course_seat_given_from_a_list_counts_as_started_once_its_holder_opens_the_purchases_page(
    team_order, client
):
    shown = preview(client, team_order, "Raj <raj@studio.example>\nAna <ana@studio.example>")
    confirm(client, team_order, "Raj <raj@studio.example>\nAna <ana@studio.example>", shown)
    [email] = [m for m in mail.outbox if m.to == ["raj@studio.example"]]
    raj = Client()
    raj.post(links_in(email)[0])

    before = client.get(page_of(team_order))
    raj.get("/purchases/")
    raj.get("/purchases/")
    after = client.get(page_of(team_order))
    mail.outbox.clear()
    client.post(page_of(team_order) + "remind/")
    run_ready_tasks()

    assert re.search(r'data-seat="2" data-state="assigned"', before.text)
    assert re.search(r'data-seat="2" data-state="opened"', after.text)
    assert "opened their access" in after.text
    assert "5 seats: 1 started, 2 assigned and not started, 2 free." in after.text  # the buyer's own seat
    assert "Send 1 reminder" in after.text
    assert [m.to for m in mail.outbox] == [["ana@studio.example"]]


def test_an_enrolment_that_reached_the_course_platform_counts_as_started(team_order, client, settings):
    settings.COURSE_ENROLMENT_WEBHOOK_URL = "https://courses.example/hook"
    settings.COURSE_ENROLMENT_WEBHOOK_SECRET = "s3cret"
    seats.assign_seat(
        grant_token=seat(team_order, 2).token, buyer_email=team_order.email, name="Raj", email="raj@x.example"
    )
    EnrolmentDelivery.objects.filter(grant=seat(team_order, 2)).update(
        delivered_at=seat(team_order, 2).assigned_at
    )

    page = client.get(page_of(team_order))

    assert re.search(r'data-seat="2" data-state="enrolled"', page.text)
    assert "5 seats: 1 started, 1 assigned and not started, 3 free." in page.text


def test_nobody_to_remind_says_why_truly_in_each_case(team_order, client):
    alone = client.get(page_of(team_order))
    refused = client.post(page_of(team_order) + "remind/", follow=True)
    seats.assign_seat(
        grant_token=seat(team_order, 2).token, buyer_email=team_order.email, name="Raj", email="raj@x.example"
    )
    Grant.objects.filter(holder_email="raj@x.example").update(first_seen_at=seat(team_order, 2).assigned_at)
    started = client.get(page_of(team_order))

    assert "Nobody to remind yet: no seat is held by anyone but you." in alone.text
    assert "everyone" not in alone.text.split("remind-title")[1]
    assert "Nobody to remind yet: no seat is held by anyone but you." in refused.text
    assert "Nobody to remind: everyone else who holds a seat has started." in started.text


def test_a_claimed_seat_stays_with_its_holder_and_the_table_says_why(team_order, client, settings):
    settings.SITE_CONTACT_EMAIL = "help@academy.example"
    claimed = seat(team_order, 2)
    Client().post(f"/purchases/claim/{claims.claim_token(claimed)}/", {"name": "Cy", "email": "cy@x.example"})
    run_ready_tasks()
    mail.outbox.clear()

    page = client.get(page_of(team_order))
    refused = client.post(
        f"/purchases/seats/{claimed.token}/reassign/", {"name": "Bo", "email": "bo@x.example"}, follow=True
    )

    row = re.search(r'<tr data-seat="2".*?</tr>', page.text, re.S).group(0)
    assert "Give to someone else" not in row
    assert "Stays with its holder: its holder claimed it on" in row and "help@academy.example" in row
    assert "This seat stays with its holder: its holder claimed it on" in refused.text
    assert holders(team_order)[2] == "cy@x.example" and not mail.outbox


def test_the_search_box_filters_the_table_without_javascript(team_order, client):
    for number, (name, email) in enumerate([("Raj Patel", "raj@x.example"), ("Ana", "ana@y.example")], 2):
        seats.assign_seat(
            grant_token=seat(team_order, number).token, buyer_email=team_order.email, name=name, email=email
        )

    by_name = client.get(page_of(team_order) + "?q=PATEL")
    by_email = client.get(page_of(team_order) + "?q=y.example&show=waiting")
    nobody = client.get(page_of(team_order) + "?q=zed")

    assert re.findall(r'data-seat="(\d)"', by_name.text) == ["2"]
    assert re.findall(r'data-seat="(\d)"', by_email.text) == ["3"]
    assert 'name="show" value="waiting"' in by_email.text
    assert re.findall(r'data-seat="(\d)"', nobody.text) == []
    assert "No seat is held by someone matching “zed”." in nobody.text
    assert '<input type="search" name="q"' in by_name.text and 'value="PATEL"' in by_name.text


def test_the_paste_hint_reads_unambiguously(team_order, client):
    page = client.get(page_of(team_order))

    assert (
        "One person a line: a name and an email address, or just the address. You can paste from a "
        "spreadsheet." in page.text
    )


def test_the_claim_page_answers_the_same_whoever_holds_a_seat(team_order, client):
    seats.assign_seat(
        grant_token=seat(team_order, 2).token, buyer_email=team_order.email, name="Ana", email="ana@x.example"
    )
    run_ready_tasks()
    mail.outbox.clear()
    path = f"/purchases/claim/{claims.claim_token(seat(team_order, 3))}/"

    held = Client().post(path, {"name": "Ana", "email": "ana@x.example"})
    run_ready_tasks()
    emailed_to_holder = {m.to[0] for m in mail.outbox}
    access_emails = [m for m in mail.outbox if "/purchases/open/" in m.body]
    fresh = Client().post(path, {"name": "Cy", "email": "cy@x.example"})

    def without_address(response, email):
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.text)
        return text.replace(email, "ADDRESS")

    assert held.status_code == fresh.status_code == 200
    assert without_address(held, "ana@x.example") == without_address(fresh, "cy@x.example")
    assert "already holds" not in held.text
    assert emailed_to_holder == {"ana@x.example"}
    assert [m.to for m in access_emails] == [["ana@x.example"]]  # her own access email, again
    assert holders(team_order)[3] == "cy@x.example"  # the link still gave its seat
