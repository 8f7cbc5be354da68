"""The seat manager beyond the first assignment: giving an unused seat to someone else, and claim links."""

import re

import pytest
from django.core import mail, signing
from django.test import Client

from access import links
from access.models import EnrolmentDelivery, Grant
from teams import claims, seats
from tests.access.conftest import run_ready_tasks
from tests.access.test_downloads import add_file, body

CLAIM_LINK = re.compile(r"http://testserver(/purchases/claim/[^/\"\s]+/)")


def claim_path(grant: Grant) -> str:
    return f"/purchases/claim/{claims.claim_token(grant)}/"


def seats_page(order) -> str:
    return f"/purchases/orders/{order.reference}/seats/"


def assign(client, grant: Grant, name: str, email: str, action: str = ""):
    response = client.post(f"/purchases/seats/{grant.token}/{action}", {"name": name, "email": email})
    run_ready_tasks()
    return response


def test_the_buyer_gives_an_unused_seat_to_someone_else_who_gets_the_access_email(
    paid_order, client, sign_in
):
    order = paid_order("bundle", 2)
    seat_two = Grant.objects.filter(order=order, seat=2).first()
    sign_in("buyer@example.com")
    assign(client, seat_two, "Ana", "ana@example.com")
    mail.outbox.clear()

    page = client.get(seats_page(order))
    response = assign(client, seat_two, "Bo", "bo@example.com", "reassign/")

    assert "Give to someone else" in page.text
    assert response.status_code == 302
    assert set(Grant.objects.filter(order=order, seat=2).values_list("holder_email", "state")) == {
        ("bo@example.com", "active")
    }
    assert sorted(m.to for m in mail.outbox) == [["ana@example.com"], ["bo@example.com"]]
    assert order.history.filter(
        message__contains="reassigned from ana@example.com to bo@example.com"
    ).exists()


def test_the_holder_whose_seat_is_given_away_is_told_once_without_naming_the_new_holder(
    paid_order, client, sign_in
):
    order = paid_order("level-i", 2)
    seat_two = Grant.objects.get(order=order, seat=2)
    sign_in("buyer@example.com")
    assign(client, seat_two, "Ana Editor", "ana@example.com")
    mail.outbox.clear()

    response = assign(client, seat_two, "Bo", "bo@example.com", "reassign/")
    run_ready_tasks()  # a retry of the task sends nothing more

    [told] = [m for m in mail.outbox if m.to == ["ana@example.com"]]
    assert "previous holder is told" in client.get(response["Location"]).text
    assert told.subject == f"Your CPMA seat from order {order.reference} has gone to someone else"
    assert "Hello Ana Editor" in told.body and "CPMA Level I Certification" in told.body
    assert "has ended" in told.body
    assert "bo@example.com" not in told.body and "Bo" not in told.body.replace("Body", "")
    # Given back to Ana and away again: a second handover is a second email.
    Grant.objects.filter(pk=seat_two.pk).update(holder_email="ana@example.com", holder_name="Ana Editor")
    mail.outbox.clear()
    assign(client, seat_two, "Cy", "cy@example.com", "reassign/")
    assert [m.to for m in mail.outbox if "gone to someone else" in m.subject] == [["ana@example.com"]]


def test_a_seat_that_stays_with_its_holder_tells_nobody_it_moved(paid_order):
    order = paid_order("level-i", 1)
    grant = Grant.objects.get(order=order)
    EnrolmentDelivery.objects.create(
        event_id="enr_told", grant=grant, event="enrolment.granted", payload={}, delivered_at=grant.created_at
    )
    mail.outbox.clear()

    with pytest.raises(seats.SeatUsed):
        seats.reassign_seat(
            grant_token=grant.token, buyer_email=order.email, name="Bo", email="bo@example.com"
        )
    run_ready_tasks()

    assert mail.outbox == []


def test_a_seat_with_a_download_stays_with_its_holder_and_the_page_says_why(
    paid_order, catalog, client, sign_in
):
    order = paid_order("resume-kit", 2)
    seat_two = Grant.objects.get(order=order, seat=2)
    sign_in("buyer@example.com")
    assign(client, seat_two, "Ana", "ana@example.com")
    kit_file = add_file(catalog["resume-kit"], "kit.pdf", b"%PDF")
    seat_two.refresh_from_db()
    body(Client().get(f"/access/download/{links.download_token(seat_two, kit_file)}/"))

    page = client.get(seats_page(order))
    refused = client.post(
        f"/purchases/seats/{seat_two.token}/reassign/", {"name": "Bo", "email": "bo@example.com"}, follow=True
    )

    assert seats.DOWNLOADED in page.text
    assert seats.DOWNLOADED in refused.text
    assert Grant.objects.get(pk=seat_two.pk).holder_email == "ana@example.com"


def test_a_seat_whose_enrolment_reached_the_course_platform_cannot_be_reassigned(paid_order):
    order = paid_order("level-i", 1)
    grant = Grant.objects.get(order=order)
    EnrolmentDelivery.objects.create(
        event_id="enr_test", grant=grant, event="enrolment.granted", payload={}, delivered_at=grant.created_at
    )

    with pytest.raises(seats.SeatUsed, match="course platform"):
        seats.reassign_seat(
            grant_token=grant.token, buyer_email=order.email, name="Bo", email="bo@example.com"
        )


def test_the_previous_holders_download_links_stop_when_the_seat_is_given_away(paid_order, catalog):
    order = paid_order("resume-kit", 1)
    grant = Grant.objects.get(order=order)
    kit_file = add_file(catalog["resume-kit"], "kit.pdf", b"%PDF")
    old_link = f"/access/download/{links.download_token(grant, kit_file)}/"

    seats.reassign_seat(grant_token=grant.token, buyer_email=order.email, name="Bo", email="bo@example.com")
    response = Client().get(old_link)

    assert response.status_code == 403 and "someone else" in response.text


def test_an_unassigned_seat_shows_a_claim_link_that_gives_the_seat_once(paid_order, client, sign_in):
    order = paid_order("bundle", 2)
    sign_in("buyer@example.com")
    before = client.get(seats_page(order))
    taken = client.post(
        f"/purchases/seats/{Grant.objects.filter(order=order, seat=2).first().token}/claim-link/"
    )
    page = client.get(seats_page(order))
    [path] = CLAIM_LINK.findall(page.text)
    mail.outbox.clear()

    recipient = Client(enforce_csrf_checks=True)
    opened = recipient.get(path)
    csrf = recipient.cookies["csrftoken"].value
    claimed = recipient.post(path, {"name": "Cy", "email": "cy@example.com", "csrfmiddlewaretoken": csrf})
    run_ready_tasks()
    again = Client().post(path, {"name": "Eve", "email": "eve@example.com"})
    shown_again = Client().get(path)

    assert not CLAIM_LINK.findall(before.text) and "Get a claim link to send" in before.text
    assert taken.status_code == 302 and taken["Location"].endswith(f"#seat-{order.lines.get().pk}-2")
    assert opened.status_code == 200 and "CPMA Level II Certification" in opened.text
    assert claimed.status_code == 200 and "cy@example.com" in claimed.text
    assert set(Grant.objects.filter(order=order, seat=2).values_list("holder_email", "state")) == {
        ("cy@example.com", "active")
    }
    assert [m.to for m in mail.outbox] == [["cy@example.com"]]
    assert again.status_code == shown_again.status_code == 410 and "claimed" in again.text


def test_a_claim_needs_the_csrf_token(paid_order):
    order = paid_order("level-i", 2)
    path = claim_path(Grant.objects.get(order=order, seat=2))

    response = Client(enforce_csrf_checks=True).post(path, {"name": "Cy", "email": "cy@example.com"})

    assert response.status_code == 403
    assert Grant.objects.get(order=order, seat=2).state == "unassigned"


def test_tampered_and_expired_claim_links_get_a_clear_page(paid_order, settings):
    order = paid_order("level-i", 2)
    token = claims.claim_token(Grant.objects.get(order=order, seat=2))

    tampered = Client().get(f"/purchases/claim/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}/")
    cut_short = Client().post(f"/purchases/claim/{token[:12]}/", {"name": "Cy", "email": "cy@example.com"})
    settings.CLAIM_LINK_MAX_AGE_SECONDS = -1
    expired = Client().post(f"/purchases/claim/{token}/", {"name": "Cy", "email": "cy@example.com"})

    assert tampered.status_code == cut_short.status_code == 400 and "not valid" in tampered.text
    assert expired.status_code == 410 and "expired" in expired.text
    assert Grant.objects.get(order=order, seat=2).state == "unassigned"


def test_another_orders_seat_is_unreachable(paid_order, client, sign_in):
    paid_order("level-i", 2, email="buyer@example.com")
    theirs = paid_order("level-i", 2, email="other@example.com")
    their_seat = Grant.objects.get(order=theirs, seat=1)
    sign_in("buyer@example.com")

    reassign = client.post(
        f"/purchases/seats/{their_seat.token}/reassign/", {"name": "Me", "email": "me@example.com"}
    )
    # A claim link names its seat inside the signature: one made up for their free seat is refused.
    their_free = Grant.objects.get(order=theirs, seat=2)
    forged = signing.TimestampSigner(key="not-our-secret-key", salt=claims.CLAIM_SALT).sign_object(
        {"l": their_free.line_id, "s": their_free.seat}
    )
    claim = Client().post(f"/purchases/claim/{forged}/", {"name": "Me", "email": "me@example.com"})

    assert reassign.status_code == 404
    assert claim.status_code == 400
    assert Grant.objects.get(pk=their_free.pk).state == "unassigned"
    assert Grant.objects.get(pk=their_seat.pk).holder_email == "other@example.com"


def test_a_claim_link_for_a_revoked_seat_is_refused(paid_order, fake_stripe, deliver_event):
    from tests.stripe_fake import make_event

    order = paid_order("level-i", 2)
    path = claim_path(Grant.objects.get(order=order, seat=2))
    deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id)))

    response = Client().post(path, {"name": "Cy", "email": "cy@example.com"})

    assert response.status_code == 410
    assert Grant.objects.get(order=order, seat=2).state == "revoked"
