"""A personal link from an order email opens what its email is about and no more (issue 33): the browser
that presses its button sees that order only (a holder sees only her own access on it), and everything
else (the other orders, handing out seats) asks for a full sign-in through a link emailed to the address.
A forwarded email is then no key to the buyer's account."""

import pytest
from django.core import mail
from django.test import Client

from access.models import Grant
from access.sessions import SESSION_EMAIL
from tests.access.conftest import run_ready_tasks, sign_in_link_for
from tests.access.test_purchase_links import confirmation_for, links_in, staff_client

pytestmark = pytest.mark.django_db

LIMITED = "This view is limited to order"


def press(path: str) -> Client:
    """A browser that opens a personal link and presses its button (a colleague the email was forwarded to)."""
    browser = Client()
    browser.post(path)
    return browser


@pytest.fixture
def two_orders(paid_order, client, sign_in):
    """Pat bought Level I (order `first`) and two Resume kit seats (order `team`), seat 2 held by Ana."""
    first = paid_order("level-i", email="pat@example.com")
    team = paid_order("resume-kit", quantity=2, email="pat@example.com")
    sign_in("pat@example.com")
    client.post(
        f"/purchases/seats/{team.grants.get(seat=2).token}/", {"name": "Ana", "email": "ana@example.com"}
    )
    run_ready_tasks()
    return first, team


def test_a_forwarded_order_link_shows_that_order_only(two_orders):
    first, team = two_orders
    colleague = press(links_in(confirmation_for(first))[0])

    page = colleague.get("/purchases/").text

    assert colleague.session[SESSION_EMAIL] == "pat@example.com"
    assert f"Order {first.reference}" in page and "How to start" in page
    assert team.reference not in page and "ana@example.com" not in page
    assert f"{LIMITED} {first.reference}" in page
    assert "send yourself a sign-in link" in page


def test_a_holders_link_shows_her_own_access_on_that_order_only(two_orders, paid_order):
    _, team = two_orders
    own = paid_order("ai-kit", email="ana@example.com")
    [path] = links_in(
        next(m for m in mail.outbox if m.to == ["ana@example.com"] and team.reference in m.body)
    )

    page = press(path).get("/purchases/").text

    assert f"Order {team.reference} · your access is active." in page
    assert own.reference not in page
    assert f"{LIMITED} {team.reference}" in page
    assert "or to hand out seats, send yourself a sign-in link" in page


def test_a_personal_link_session_cannot_hand_out_reassign_or_resend_seats(two_orders):
    _, team = two_orders
    colleague = press(links_in(confirmation_for(team))[0])
    held, free = team.grants.get(seat=2), team.grants.get(seat=1)
    seats = f"/purchases/orders/{team.reference}/seats/"
    mail.outbox.clear()

    answers = [
        colleague.get(seats),
        colleague.get(f"/purchases/orders/{team.reference}/seats.csv"),
        colleague.post(seats + "upload/", {"line": team.lines.get().pk, "people": "eve@example.com"}),
        colleague.post(
            f"/purchases/seats/{held.token}/reassign/", {"name": "Eve", "email": "eve@example.com"}
        ),
        colleague.post(f"/purchases/seats/{held.token}/resend/"),
        colleague.post(f"/purchases/seats/{free.token}/", {"name": "Eve", "email": "eve@example.com"}),
    ]
    run_ready_tasks()

    assert [a.status_code for a in answers] == [403] * 6
    assert all("sign-in link" in a.text and "ana@example.com" not in a.text for a in answers)
    assert "eve@example.com" not in Grant.objects.filter(order=team).values_list("holder_email", flat=True)
    assert Grant.objects.get(pk=held.pk).holder_email == "ana@example.com"
    assert mail.outbox == []


def test_the_emailed_sign_in_link_upgrades_a_personal_link_session(two_orders):
    first, team = two_orders
    browser = press(links_in(confirmation_for(first))[0])
    mail.outbox.clear()

    asked = browser.post("/purchases/", {"email": "pat@example.com"})
    run_ready_tasks()
    browser.post(sign_in_link_for("pat@example.com"))
    page = browser.get("/purchases/").text

    assert asked.status_code == 200
    assert first.reference in page and team.reference in page and LIMITED not in page
    assert browser.get(f"/purchases/orders/{team.reference}/seats/").status_code == 200


def test_pressing_a_personal_link_keeps_a_full_sign_in_of_the_same_address(two_orders, client):
    first, team = two_orders

    client.post(links_in(confirmation_for(first))[0])

    assert team.reference in client.get("/purchases/").text
    assert client.get(f"/purchases/orders/{team.reference}/seats/").status_code == 200


def test_revoking_a_link_ends_the_session_it_opened(two_orders):
    first, _ = two_orders
    browser = press(links_in(confirmation_for(first))[0])

    staff_client().post(
        "/admin/checkout/order/", {"action": "revoke_order_links", "_selected_action": [first.pk]}
    )
    page = browser.get("/purchases/").text

    assert first.reference not in page and "Signed in as" not in page


def test_the_confirmation_says_handing_out_seats_needs_a_sign_in_link(two_orders):
    _, team = two_orders

    body = confirmation_for(team).body

    assert "your team's seats) opens from this link" not in body
    assert "to give your team's seats, that page emails you a sign-in link first" in body
