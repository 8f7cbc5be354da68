"""Personal links in order emails: one click from the email to a page with one button that signs in. A GET
spends and signs in nothing; the link works many times while the order gives its address access; staff
revoke an order's or an address's links from admin (410); a refunded order's link shows its status only."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone

from access import purchase_links
from access.models import PurchasesLink
from access.samples import attach_sample_files
from access.sessions import SESSION_EMAIL
from tests.checkout.conftest import run_ready_tasks
from tests.stripe_fake import make_event

LINK = re.compile(r"http://testserver(/purchases/open/[^/\s?]+/)(\?show=order)?")

pytestmark = pytest.mark.django_db


def links_in(message) -> list[str]:
    return [m.group(1) + (m.group(2) or "") for m in LINK.finditer(message.body)]


def confirmation_for(order):
    return next(m for m in mail.outbox if "is confirmed" in m.subject and order.reference in m.subject)


def test_the_confirmation_carries_a_personal_link_to_the_purchases_page_and_to_the_order(paid_order):
    order = paid_order("level-i", email="Pat@Example.com")

    found = links_in(confirmation_for(order))

    assert len(found) == 2
    assert found[1] == found[0] + "?show=order"
    link = PurchasesLink.objects.get(order=order)
    assert link.email == "pat@example.com"
    assert link.expires_at - link.created_at >= dt.timedelta(days=30)
    # Only a hash is stored: the token in the email is nowhere in the database.
    token = found[0].split("/")[3]
    assert token not in link.token_hash and len(link.token_hash) == 64


def test_opening_the_link_spends_nothing_and_the_button_signs_in(paid_order):
    order = paid_order("level-i", email="pat@example.com")
    path = links_in(confirmation_for(order))[0]
    browser = Client()

    for _ in range(3):  # a mail scanner, a preview pane, the person
        page = browser.get(path)
        assert page.status_code == 200
        assert "Show my purchases" in page.text
    assert SESSION_EMAIL not in browser.session

    pressed = browser.post(path)

    assert pressed.status_code == 302 and pressed["Location"] == "/purchases/"
    assert browser.session[SESSION_EMAIL] == "pat@example.com"
    assert "How to start" in browser.get("/purchases/").text
    # Not single use: the same email opens the page again from another browser.
    assert Client().post(path).status_code == 302
    assert PurchasesLink.objects.get(order=order).uses == 2


def test_the_order_link_lands_on_the_order(paid_order):
    order = paid_order("level-i", quantity=3, email="pat@example.com")
    path = links_in(confirmation_for(order))[1]
    browser = Client()

    assert 'name="show" value="order"' in browser.get(path).text
    pressed = browser.post(path, {"show": "order"})

    assert pressed["Location"] == f"/purchases/#order-{order.reference}"
    assert f'id="order-{order.reference}"' in browser.get("/purchases/").text


def test_a_seat_holders_access_email_link_opens_her_downloads_with_one_press(paid_order, client, sign_in):
    attach_sample_files()
    order = paid_order("resume-kit", quantity=2, email="lead@example.com")
    sign_in("lead@example.com")
    seat = order.grants.get(seat=2)
    client.post(f"/purchases/seats/{seat.token}/", {"name": "Ana Editor", "email": "ana@example.com"})
    run_ready_tasks()
    message = next(m for m in mail.outbox if m.to == ["ana@example.com"])
    assert "How to start" in message.body and "Resume" in message.body
    [path] = links_in(message)
    ana = Client()

    assert ana.get(path).status_code == 200  # request 1: open the link
    page = ana.post(path, follow=True)  # request 2: press the button

    assert page.redirect_chain == [("/purchases/", 302)]
    assert "/access/download/" in page.text
    assert ana.session[SESSION_EMAIL] == "ana@example.com"


def test_a_refunded_orders_link_shows_its_status_and_never_the_downloads(
    paid_order, fake_stripe, deliver_event
):
    attach_sample_files()
    order = paid_order("resume-kit", email="pat@example.com")
    path = links_in(confirmation_for(order))[0]
    deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id)))
    browser = Client()

    page = browser.get(path)
    pressed = browser.post(path)

    assert page.status_code == 200
    assert "refunded in full" in page.text
    assert "Show my purchases" not in page.text and "/access/download/" not in page.text
    assert pressed.status_code == 200 and "/access/download/" not in pressed.text
    assert SESSION_EMAIL not in browser.session


def test_a_seat_given_to_someone_else_stops_the_previous_holders_link(paid_order, client, sign_in):
    order = paid_order("resume-kit", quantity=2, email="lead@example.com")
    sign_in("lead@example.com")
    seat = order.grants.get(seat=2)
    client.post(f"/purchases/seats/{seat.token}/", {"name": "Ana", "email": "ana@example.com"})
    run_ready_tasks()
    [path] = links_in(next(m for m in mail.outbox if m.to == ["ana@example.com"]))
    client.post(f"/purchases/seats/{seat.token}/reassign/", {"name": "Raj", "email": "raj@example.com"})

    page = Client().post(path)

    assert page.status_code == 200 and "no longer held by ana@example.com" in page.text


def staff_client() -> Client:
    staff = Client()
    staff.force_login(User.objects.create_superuser("staff", "staff@example.com", "pw-for-tests-only"))
    return staff


def test_staff_revoke_an_orders_links_from_the_order_list_and_the_link_answers_410(paid_order):
    order = paid_order("level-i", email="pat@example.com")
    path = links_in(confirmation_for(order))[0]

    staff_client().post(
        "/admin/checkout/order/", {"action": "revoke_order_links", "_selected_action": [order.pk]}
    )

    for method in ("get", "post"):
        page = getattr(Client(), method)(path)
        assert page.status_code == 410
        assert "This link has been switched off" in page.text


def test_staff_revoke_every_link_of_an_address_on_every_order(paid_order):
    first = paid_order("level-i", email="pat@example.com")
    second = paid_order("resume-kit", email="pat@example.com")
    other = paid_order("ai-kit", email="sam@example.com")
    one_of_pats = PurchasesLink.objects.filter(order=first).first()

    staff_client().post(
        "/admin/access/purchaseslink/",
        {"action": "revoke_address", "_selected_action": [one_of_pats.pk]},
    )

    assert not PurchasesLink.objects.filter(order__in=[first, second], revoked_at__isnull=True).exists()
    assert PurchasesLink.objects.filter(order=other, revoked_at__isnull=True).exists()
    assert Client().get(links_in(confirmation_for(second))[0]).status_code == 410
    assert Client().get(links_in(confirmation_for(other))[0]).status_code == 200


def test_an_expired_link_answers_410_and_a_made_up_one_404(paid_order):
    order = paid_order("level-i", email="pat@example.com")
    path = links_in(confirmation_for(order))[0]
    PurchasesLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert Client().get(path).status_code == 410
    assert Client().get("/purchases/open/made-up-token/").status_code == 404


def test_each_email_carries_a_fresh_link(paid_order):
    order = paid_order("level-i", email="pat@example.com")
    first = purchase_links.create_link(order=order, email="pat@example.com")
    second = purchase_links.create_link(order=order, email="pat@example.com")

    assert first != second
    assert PurchasesLink.objects.filter(order=order).count() == 3  # the confirmation's and these two


def test_a_seat_holders_link_after_a_refund_shows_the_ending_but_not_the_buyers_money(
    paid_order, client, sign_in, fake_stripe, deliver_event
):
    order = paid_order("resume-kit", quantity=2, email="lead@example.com")
    sign_in("lead@example.com")
    seat = order.grants.get(seat=2)
    client.post(f"/purchases/seats/{seat.token}/", {"name": "Ana", "email": "ana@example.com"})
    run_ready_tasks()
    [anas] = links_in(next(m for m in mail.outbox if m.to == ["ana@example.com"]))
    buyers = links_in(confirmation_for(order))[0]
    deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id)))

    holder_page = Client().get(anas).content.decode()
    buyer_page = Client().get(buyers).content.decode()

    assert "refunded in full" in holder_page and "$134" not in holder_page
    assert "Refunded $134" in buyer_page
