"""The seat manager of one order: a pasted list assigned through a preview, one seat per person and
product, the seat table and its CSV, reminders, and the claim page that names who gave the seat."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from access.models import Grant
from checkout.models import EmailDelivery
from teams import claims, seats
from teams.seat_lists import MAX_SEAT_LIST_LINES
from teams.seat_table import reminder_purpose
from tests.access.conftest import run_ready_tasks
from tests.access.test_downloads import add_file, body
from tests.access.test_purchase_links import links_in

DIGEST = re.compile(r'name="digest" value="([0-9a-f]+)"')


def page_of(order) -> str:
    return f"/purchases/orders/{order.reference}/seats/"


def line_of(order) -> int:
    return order.lines.get().pk


def preview(client, order, people: str, **extra):
    return client.post(page_of(order) + "upload/", {"line": line_of(order), "people": people, **extra})


def confirm(client, order, people: str, shown, **extra):
    [digest] = DIGEST.findall(shown.text)
    response = client.post(
        page_of(order) + "assign/", {"line": line_of(order), "people": people, "digest": digest, **extra}
    )
    run_ready_tasks()
    return response


def holders(order) -> dict[int, str]:
    return dict(
        Grant.objects.filter(order=order, state="active")
        .order_by()
        .values_list("seat", "holder_email")
        .distinct()
    )


def test_a_pasted_list_is_previewed_then_its_valid_lines_are_assigned_with_one_email_each(team_order, client):
    people = "Raj Patel <raj@studio.example>\nnot an address\nana@studio.example, Ana\nbo@studio.example"

    shown = preview(client, team_order, people)
    untouched = holders(team_order)
    done = confirm(client, team_order, people, shown)

    assert shown.status_code == 200
    assert "Line 2, “not an address”: no email address on this line." in shown.text
    assert (
        "Line 3, “ana@studio.example, Ana”: already holds a seat of CPMA Bundle on this order." in shown.text
    )
    assert "Assign 2 seats" in shown.text
    assert untouched == {1: "buyer@example.com", 2: "ana@studio.example"}
    assert done.status_code == 302 and done["Location"] == page_of(team_order)
    assert holders(team_order) == {
        1: "buyer@example.com",
        2: "ana@studio.example",
        3: "raj@studio.example",
        4: "bo@studio.example",
    }
    assert sorted(m.to[0] for m in mail.outbox) == ["bo@studio.example", "raj@studio.example"]
    raj = next(m for m in mail.outbox if m.to == ["raj@studio.example"])
    assert "Dana Okafor (Northlight Pictures) has given you a seat" in raj.body
    assert "CPMA Level II Certification" in raj.body


def test_more_people_than_free_seats_names_how_many_are_free_and_assigns_nobody(team_order, client):
    people = "\n".join(f"p{n}@studio.example" for n in range(4))

    shown = preview(client, team_order, people)
    forced = client.post(
        page_of(team_order) + "assign/", {"line": line_of(team_order), "people": people, "digest": "x"}
    )

    assert "only 3 seats are free" in shown.text and "Remove 1" in shown.text
    assert "/assign/" not in shown.text  # no confirm form
    assert forced.status_code == 409 and "only 3 seats are free" in forced.text
    assert set(holders(team_order)) == {1, 2}


def test_a_list_over_the_line_limit_is_refused_at_preview_and_at_confirm(team_order, client):
    people = "\n".join(f"p{n}@studio.example" for n in range(MAX_SEAT_LIST_LINES + 1))

    shown = preview(client, team_order, people)
    forced = client.post(
        page_of(team_order) + "assign/", {"line": line_of(team_order), "people": people, "digest": "x"}
    )

    assert shown.status_code == forced.status_code == 400
    assert f"at most {MAX_SEAT_LIST_LINES} people" in shown.text
    assert set(holders(team_order)) == {1, 2}


def test_the_confirm_checks_the_list_again_and_refuses_a_plan_that_changed(team_order, client):
    shown = preview(client, team_order, "raj@studio.example")
    token = Grant.objects.filter(order=team_order, seat=3).first().token
    seats.assign_seat(grant_token=token, buyer_email=team_order.email, name="Raj", email="raj@studio.example")
    [digest] = DIGEST.findall(shown.text)

    stale = client.post(
        page_of(team_order) + "assign/",
        {"line": line_of(team_order), "people": "raj@studio.example", "digest": digest},
    )
    swapped = client.post(
        page_of(team_order) + "assign/",
        {"line": line_of(team_order), "people": "eve@studio.example", "digest": digest},
    )

    assert stale.status_code == 409 and "already holds a seat" in stale.text
    assert swapped.status_code == 409 and "changed since the preview" in swapped.text
    assert "eve@studio.example" not in holders(team_order).values()


def test_a_csv_file_is_previewed_like_a_pasted_list(team_order, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("team.csv", b"name,email\nRaj Patel,raj@studio.example\n", "text/csv")

    shown = client.post(page_of(team_order) + "upload/", {"line": line_of(team_order), "file": upload})
    done = confirm(client, team_order, "raj@studio.example, Raj Patel", shown)

    assert "Raj Patel" in shown.text and "Assign 1 seat" in shown.text
    assert done.status_code == 302
    assert Grant.objects.filter(order=team_order, holder_email="raj@studio.example").first().holder_name == (
        "Raj Patel"
    )


def test_one_address_never_gets_two_seats_of_a_product_on_one_order_by_any_route(team_order, client):
    third = Grant.objects.filter(order=team_order, seat=3).first()
    fourth = Grant.objects.filter(order=team_order, seat=4).first()
    seats.assign_seat(grant_token=fourth.token, buyer_email=team_order.email, name="Bo", email="bo@x.example")

    assigned = client.post(f"/purchases/seats/{third.token}/", {"name": "Ana", "email": "ANA@studio.example"})
    reassigned = client.post(
        f"/purchases/seats/{fourth.token}/reassign/",
        {"name": "Ana", "email": "ana@studio.example"},
        follow=True,
    )
    claimed = Client().post(
        f"/purchases/claim/{claims.claim_token(third)}/", {"name": "Ana", "email": "ana@studio.example"}
    )

    assert assigned.status_code == 302
    assert "already holds a seat of" in reassigned.text
    # The claim page answers as for any claim (test_the_claim_page_answers_the_same_whoever_holds_a_seat).
    assert claimed.status_code == 200 and "already holds" not in claimed.text
    assert (
        Grant.objects.filter(order=team_order, holder_email="ana@studio.example")
        .values("seat")
        .distinct()
        .count()
        == 1
    )
    assert holders(team_order)[4] == "bo@x.example"


def test_reassigning_a_seat_to_its_current_holder_is_refused(team_order):
    seat_two = Grant.objects.filter(order=team_order, seat=2).first()

    with pytest.raises(seats.SeatUnavailable, match="already held by this address"):
        seats.reassign_seat(
            grant_token=seat_two.token, buyer_email=team_order.email, name="Ana", email="Ana@Studio.Example"
        )
    assert not mail.outbox


def test_a_holder_of_the_product_on_another_of_the_buyers_orders_needs_the_buyers_confirmation(
    team_order, paid_order, client
):
    second = paid_order("bundle", 2)
    seat = Grant.objects.filter(order=second, seat=2).first()

    asked = client.post(f"/purchases/seats/{seat.token}/", {"name": "Ana", "email": "ana@studio.example"})
    shown = preview(client, second, "ana@studio.example")
    confirmed = client.post(
        f"/purchases/seats/{seat.token}/",
        {"name": "Ana", "email": "ana@studio.example", "confirm_elsewhere": "on"},
    )

    assert asked.status_code == 409 and f"from your order {team_order.reference}" in asked.text
    assert "Give the seat anyway" in asked.text
    assert f"holds CPMA Bundle from order {team_order.reference}" in shown.text
    assert "No line of the list can be given a seat" in shown.text
    assert confirmed.status_code == 302
    assert holders(second)[2] == "ana@studio.example"


def _opened_from_her_email(email: str) -> Client:
    """The holder's browser after pressing the button of the access email sent to `email` (a claim proves
    no address, so it signs nobody in: the email does, issue 33)."""
    [message] = [m for m in mail.outbox if m.to == [email]]
    [path] = links_in(message)
    browser = Client()
    browser.post(path)
    return browser


def test_a_holder_claims_signs_in_from_her_email_and_the_table_shows_claimed_then_downloaded(
    team_order, client, catalog
):
    add_file(catalog["resume-kit"], "kit.pdf", b"%PDF")
    claim = Grant.objects.filter(order=team_order, seat=3).first()
    Client().post(f"/purchases/claim/{claims.claim_token(claim)}/", {"name": "Cy", "email": "cy@new.example"})
    run_ready_tasks()
    holder = _opened_from_her_email("cy@new.example")

    claimed_page = client.get(page_of(team_order))
    own_page = holder.get("/purchases/")
    [download] = re.findall(r'href="(/access/download/[^"]+)"', own_page.text)
    body(holder.get(download))
    downloaded_page = client.get(page_of(team_order))
    not_started = client.get(page_of(team_order) + "?show=waiting")
    free = client.get(page_of(team_order) + "?show=free")

    assert "Signed in as cy@new.example" in own_page.text
    assert "5 seats: 1 started, 2 assigned and not started, 2 free." in claimed_page.text
    assert re.search(r'data-seat="3" data-state="claimed"', claimed_page.text)
    assert re.search(r'data-seat="3" data-state="downloaded"', downloaded_page.text)
    assert "downloaded a kit" in downloaded_page.text
    assert re.findall(r'data-seat="(\d)"', not_started.text) == ["1", "2"]
    assert re.findall(r'data-seat="(\d)"', free.text) == ["4", "5"]
    assert free.text.count("Get a claim link to send") == 2


def test_the_buyer_resends_a_holders_access_email_at_most_once_a_day(team_order, client):
    seat_two = Grant.objects.filter(order=team_order, seat=2).first()

    first = client.post(f"/purchases/seats/{seat_two.token}/resend/")
    client.post(f"/purchases/seats/{seat_two.token}/resend/")
    run_ready_tasks()
    unassigned = client.post(
        f"/purchases/seats/{Grant.objects.filter(order=team_order, seat=4).first().token}/resend/"
    )

    assert first.status_code == 302 and first["Location"] == page_of(team_order)
    assert [m.to for m in mail.outbox] == [["ana@studio.example"]]
    assert "CPMA Level I Certification" in mail.outbox[0].body
    assert unassigned.status_code == 404


def test_a_claim_names_the_giver_the_new_holder_signs_in_from_her_email_and_errors_say_whom_to_ask(
    team_order, settings
):
    settings.SITE_CONTACT_EMAIL = "help@academy.example"
    seat = Grant.objects.filter(order=team_order, seat=5).first()
    path = f"/purchases/claim/{claims.claim_token(seat)}/"
    newcomer = Client()

    opened = newcomer.get(path)
    claimed = newcomer.post(path, {"name": "Cy", "email": "Cy@New.Example"})
    run_ready_tasks()
    purchases = _opened_from_her_email("cy@new.example").get("/purchases/")
    again = Client().get(path)
    broken = Client().get(path[:-8] + "/")

    assert "Dana Okafor (Northlight Pictures) gave you a seat of the CPMA Bundle." in opened.text
    assert "as_p" not in opened.text and 'autocomplete="email"' in opened.text
    assert claimed.status_code == 200 and "Your access details went to cy@new.example" in claimed.text
    assert "Signed in as cy@new.example" in purchases.text
    assert Grant.objects.filter(pk=seat.pk, claimed_at__isnull=False, holder_email="cy@new.example").exists()
    for problem in (again, broken):
        assert "ask the person who sent you this link, or write to the academy at" in problem.text
        assert "help@academy.example" in problem.text
        assert "order confirmation" not in problem.text


def test_a_claim_for_an_address_with_purchases_emails_a_sign_in_link_instead_of_signing_in(
    team_order, paid_order
):
    theirs = paid_order("level-i", 2, email="other@example.com")
    path = f"/purchases/claim/{claims.claim_token(Grant.objects.get(order=theirs, seat=2))}/"
    someone = Client()

    claimed = someone.post(path, {"name": "Ana", "email": "ana@studio.example"})
    run_ready_tasks()

    assert claimed.status_code == 200 and "emailed it a sign-in link" in claimed.text
    assert "Signed in as" not in someone.get("/purchases/").text
    assert any("/purchases/sign-in/" in m.body for m in mail.outbox if m.to == ["ana@studio.example"])


def test_reminders_go_once_a_day_to_holders_who_have_not_started(team_order, client):
    third = Grant.objects.filter(order=team_order, seat=3).first()
    seats.assign_seat(grant_token=third.token, buyer_email=team_order.email, name="Bo", email="bo@x.example")
    run_ready_tasks()
    mail.outbox.clear()

    first = client.post(page_of(team_order) + "remind/", follow=True)
    second = client.post(page_of(team_order) + "remind/", follow=True)
    run_ready_tasks()
    page = client.get(page_of(team_order))

    assert sorted(m.to[0] for m in mail.outbox) == ["ana@studio.example", "bo@x.example"]
    assert all("Dana Okafor (Northlight Pictures)" in m.body for m in mail.outbox)
    assert "Reminder on its way to 2 people" in first.text
    assert "already went out today" in second.text
    purpose = reminder_purpose(timezone.localdate())
    assert EmailDelivery.objects.filter(order=team_order, purpose=purpose, sent_at__isnull=False).count() == 2
    assert page.text.count(f"reminded {timezone.localdate():%-d %b}") == 2
    assert "Reminders went out today" in page.text


def test_the_buyer_downloads_the_table_as_csv_with_formulas_neutralised(team_order, client):
    third = Grant.objects.filter(order=team_order, seat=3).first()
    seats.assign_seat(
        grant_token=third.token, buyer_email=team_order.email, name="=HYPERLINK(1)", email="h@x.example"
    )

    response = client.get(f"/purchases/orders/{team_order.reference}/seats.csv")
    rows = response.content.decode().splitlines()

    assert response["Content-Type"].startswith("text/csv")
    assert rows[0] == (
        "Order,Product,Seat,Holder name,Holder email,State,Since,Last reminder,"
        "Claimed,Started,Progress %,Passed,Certificate"
    )
    assert len(rows) == 6
    assert f"{team_order.reference},CPMA Bundle,3,'=HYPERLINK(1),h@x.example,assigned," in rows[3]
    assert rows[5].endswith(",5,,,not assigned,,,,,,,")


def test_the_seat_manager_needs_a_signed_in_buyer(team_order):
    stranger = Client()

    opened = stranger.get(page_of(team_order))
    table = stranger.get(f"/purchases/orders/{team_order.reference}/seats.csv")
    previewed = stranger.post(
        page_of(team_order) + "upload/", {"line": line_of(team_order), "people": "a@x.ex"}
    )

    assert opened.status_code == 302 and opened["Location"] == "/purchases/"
    assert table.status_code == previewed.status_code == 404


def test_a_signed_in_buyer_cannot_open_or_assign_another_buyers_order(team_order, paid_order, client):
    theirs = paid_order("bundle", 3, email="other@example.com")

    opened = client.get(page_of(theirs))
    previewed = client.post(page_of(theirs) + "upload/", {"line": line_of(theirs), "people": "a@x.example"})
    assigned = client.post(
        page_of(theirs) + "assign/", {"line": line_of(theirs), "people": "a@x.example", "digest": "x"}
    )
    reminded = client.post(page_of(theirs) + "remind/")

    assert [r.status_code for r in (opened, previewed, assigned, reminded)] == [404] * 4
    assert "a@x.example" not in holders(theirs).values()


def test_an_oversized_upload_is_refused_before_it_is_read(team_order, client):
    response = client.post(
        page_of(team_order) + "upload/",
        {"line": line_of(team_order), "people": "x" * 900_000},
    )

    assert response.status_code == 413


def test_the_order_admin_lists_each_seat_with_holder_and_state(team_order, admin_client):
    page = admin_client.get(f"/admin/checkout/order/{team_order.pk}/change/")

    assert page.status_code == 200
    assert "seats (holder and state" in page.text.lower()
    assert "ana@studio.example" in page.text
    assert page.text.count("<p>not assigned</p>") == 3
    assert page.text.count("<p>assigned (") == 2
