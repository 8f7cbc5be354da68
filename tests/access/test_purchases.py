from django.core import mail
from django.test import Client

from access import links
from access.models import Grant
from tests.access.conftest import run_ready_tasks, sign_in_link_for


def test_a_buyer_signs_in_by_email_link_and_sees_their_orders(paid_order, client):
    order = paid_order("level-i", 2, email="buyer@example.com")

    asked = client.post("/purchases/", {"email": "Buyer@Example.com"})
    run_ready_tasks()
    link = sign_in_link_for("buyer@example.com")
    opened = client.get(link)
    pressed = client.post(link)
    page = client.get("/purchases/")

    assert asked.status_code == 200
    assert opened.status_code == 200 and "buyer@example.com" in opened.text
    assert pressed.status_code == 302 and pressed["Location"] == "/purchases/"
    assert order.reference in page.text
    assert "CPMA Level I Certification" in page.text
    assert f'href="/purchases/orders/{order.reference}/seats/">Manage 2 seats' in page.text


def test_an_unknown_email_gets_the_same_answer_and_no_email(paid_order, client):
    paid_order("level-i", 1, email="known@example.com")
    mail.outbox.clear()

    known = client.post("/purchases/", {"email": "known@example.com"})
    unknown = client.post("/purchases/", {"email": "nobody@example.com"})
    run_ready_tasks()

    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("known@example.com", "X") == unknown.text.replace("nobody@example.com", "X")
    assert [m.to for m in mail.outbox] == [["known@example.com"]]


def test_a_sign_in_link_works_once(paid_order, client, sign_in):
    paid_order("level-i", 1)

    first = sign_in("buyer@example.com")
    again = Client().post(sign_in_link_for("buyer@example.com"))
    shown = Client().get(sign_in_link_for("buyer@example.com"))

    assert first.status_code == 302
    assert again.status_code == 410 and "has been used" in again.text
    assert shown.status_code == 410


def test_an_expired_sign_in_link_is_refused(paid_order, client, settings):
    paid_order("level-i", 1)
    path = f"/purchases/sign-in/{links.sign_in_token('buyer@example.com')}/"
    settings.SIGN_IN_LINK_MAX_AGE_SECONDS = -1

    response = client.post(path)

    assert response.status_code == 410 and "expired" in response.text
    assert "access_email" not in client.session


def test_a_tampered_sign_in_link_is_refused(paid_order, client):
    paid_order("level-i", 1)
    token = links.sign_in_token("buyer@example.com")
    forged = links.sign_in_token("buyer@example.com").split(":")[0] + ":" + token.split(":", 1)[1]

    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "nonsense", token[:10]):
        response = client.post(f"/purchases/sign-in/{bad}/")
        assert response.status_code == 400, bad
        assert "not valid" in response.text
    assert "access_email" not in client.session


def test_sign_in_requests_are_throttled_per_email(settings, client, db):
    settings.SIGN_IN_LIMIT_PER_EMAIL = 2

    answers = [client.post("/purchases/", {"email": "flood@example.com"}).status_code for _ in range(3)]
    other = client.post("/purchases/", {"email": "calm@example.com"})

    assert answers == [200, 200, 429]
    assert other.status_code == 200


def test_sign_in_requests_are_throttled_per_client_address(settings, db):
    settings.SIGN_IN_LIMIT_PER_IP = 3
    flood, elsewhere = Client(REMOTE_ADDR="203.0.113.9"), Client(REMOTE_ADDR="198.51.100.7")

    answers = [flood.post("/purchases/", {"email": f"a{n}@example.com"}).status_code for n in range(4)]

    assert answers == [200, 200, 200, 429]
    assert "Too many" in flood.post("/purchases/", {"email": "b@example.com"}).text
    assert elsewhere.post("/purchases/", {"email": "c@example.com"}).status_code == 200


def test_the_buyer_assigns_a_seat_and_the_holder_gets_access(paid_order, client, sign_in):
    order = paid_order("bundle", 3, email="head@example.com")
    sign_in("head@example.com")
    seat_two = Grant.objects.get(order=order, seat=2, product__slug="level-i")
    mail.outbox.clear()

    response = client.post(
        f"/purchases/seats/{seat_two.token}/", {"name": "Colleague", "email": "colleague@example.com"}
    )
    run_ready_tasks()
    again = client.post(
        f"/purchases/seats/{seat_two.token}/", {"name": "Someone", "email": "else@example.com"}
    )

    assert response.status_code == 302
    seat = Grant.objects.filter(order=order, seat=2)
    assert {(g.state, g.holder_email) for g in seat} == {("active", "colleague@example.com")}
    assert [m.to for m in mail.outbox] == [["colleague@example.com"]]
    assert again.status_code == 302
    assert set(seat.values_list("holder_email", flat=True)) == {"colleague@example.com"}

    colleague = Client()
    colleague.post("/purchases/", {"email": "colleague@example.com"})
    run_ready_tasks()
    colleague.post(sign_in_link_for("colleague@example.com"))
    page = colleague.get("/purchases/")
    assert "CPMA Level II Certification" in page.text
    assert order.reference in page.text
    assert "Assign this seat" not in page.text  # seats are the buyer's to manage


def test_another_buyers_orders_and_seats_are_unreachable(paid_order, client, sign_in):
    mine = paid_order("level-i", 2, email="me@example.com")
    theirs = paid_order("level-ii", 3, email="them@example.com")
    sign_in("me@example.com")
    their_seat = Grant.objects.get(order=theirs, seat=2)

    page = client.get("/purchases/")
    taken = client.post(f"/purchases/seats/{their_seat.token}/", {"name": "Me", "email": "me@example.com"})
    made_up = client.post("/purchases/seats/not-a-token/", {"name": "Me", "email": "me@example.com"})

    assert mine.reference in page.text and theirs.reference not in page.text
    assert their_seat.token not in page.text
    assert taken.status_code == 404 and made_up.status_code == 404
    their_seat.refresh_from_db()
    assert (their_seat.state, their_seat.holder_email) == ("unassigned", "")


def test_seat_forms_need_a_signed_in_buyer_and_csrf(paid_order):
    order = paid_order("level-i", 2)
    seat = Grant.objects.get(order=order, seat=2)
    anonymous = Client(enforce_csrf_checks=True)

    response = anonymous.post(f"/purchases/seats/{seat.token}/", {"name": "X", "email": "x@example.com"})

    assert response.status_code == 403
    seat.refresh_from_db()
    assert seat.state == "unassigned"
