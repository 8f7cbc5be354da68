"""Adding seats to a team order from its seat manager: a new order linked to it, for N more seats at today's
catalogue price, paid through Stripe Checkout (the fake), whose seats then appear in the same seat manager,
numbered after the team's, ready to give; bad input is refused and creates nothing."""

import pytest
from django.core import mail
from django.test import Client

from access.models import Grant
from catalog.models import Product
from checkout.models import Order
from tests.access.conftest import run_ready_tasks
from tests.checkout.conftest import completed_event
from tests.stripe_fake import make_event
from tests.teams.test_seat_manager import confirm, holders, page_of, preview

pytestmark = pytest.mark.django_db


def add(client, order, quantity, **extra):
    data = {"line": order.lines.get().pk, "quantity": quantity, "digital_consent": "on", **extra}
    return client.post(page_of(order) + "add/", data)


def added_to(order) -> list[Order]:
    return list(Order.objects.filter(adds_seats_to=order).order_by("pk"))


def pay(fake_stripe, deliver_event, order: Order, email: str = "buyer@example.com") -> Order:
    deliver_event(completed_event(fake_stripe, order, email=email, name="Dana Okafor"))
    run_ready_tasks()
    order.refresh_from_db()
    return order


def test_added_seats_are_paid_at_the_catalogue_price_and_appear_in_the_same_seat_manager(
    team_order, client, fake_stripe, deliver_event
):
    bundle = Product.objects.get(slug="bundle")

    started = add(client, team_order, 3)

    assert started.status_code == 303
    (extra,) = added_to(team_order)
    assert started["Location"] == extra.checkout_url
    assert extra.status == Order.Status.PENDING and extra.email == team_order.email
    line = extra.lines.get()
    assert (line.product, line.quantity, line.unit_price_cents) == (bundle, 3, bundle.price_cents)
    assert extra.total_cents == 3 * bundle.price_cents
    session = fake_stripe.sessions[extra.stripe_session_id]
    assert [(i["quantity"], i["unit_amount"]) for i in session["_line_items"]] == [(3, bundle.price_cents)]
    assert session["customer_email"] == "buyer@example.com"
    assert session["cancel_url"].startswith(f"http://testserver{page_of(team_order)}")
    assert "8 seats" not in client.get(page_of(team_order)).text  # nothing until it is paid

    pay(fake_stripe, deliver_event, extra, email="someone.else@example.com")

    assert extra.status == Order.Status.PAID
    assert extra.email == "buyer@example.com"  # the seats stay with the team's buyer
    new_seats = Grant.objects.filter(order=extra)
    assert sorted(set(new_seats.values_list("seat", flat=True))) == [6, 7, 8]
    assert set(new_seats.values_list("state", flat=True)) == {Grant.State.UNASSIGNED}
    page = client.get(page_of(team_order)).text
    assert "8 seats:" in page and "6 free" in page
    for number in (6, 7, 8):
        assert f'data-seat="{number}" data-state="free"' in page
    (confirmation,) = [m for m in mail.outbox if "confirmed" in m.subject]
    assert f"3 more seats of CPMA Bundle for your order {team_order.reference}" in confirmation.body
    assert "one is yours" not in confirmation.body
    assert page_of(team_order) in confirmation.body


def test_a_pasted_list_fills_the_team_and_added_seats_and_each_person_gets_their_access(
    team_order, client, fake_stripe, deliver_event
):
    add(client, team_order, 2)
    pay(fake_stripe, deliver_event, added_to(team_order)[0])
    mail.outbox.clear()
    people = "\n".join(f"p{n}@studio.example" for n in range(1, 6)) + "\nana@studio.example"

    shown = preview(client, team_order, people)
    done = confirm(client, team_order, people, shown)

    assert done.status_code == 302
    assert "already holds a seat of CPMA Bundle on this order" in shown.text  # Ana, on the team order
    given = holders(team_order) | holders(added_to(team_order)[0])
    assert sorted(given) == [1, 2, 3, 4, 5, 6, 7]
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{n}@studio.example" for n in range(1, 6)]


def test_one_seat_per_person_counts_the_added_seats_too(team_order, client, fake_stripe, deliver_event):
    add(client, team_order, 1)
    extra = pay(fake_stripe, deliver_event, added_to(team_order)[0])
    token = Grant.objects.filter(order=extra).first().token

    answer = client.post(f"/purchases/seats/{token}/", {"name": "Ana", "email": "ana@studio.example"})

    assert answer.status_code == 302 and answer["Location"] == page_of(team_order)
    assert Grant.objects.get(order=extra, product__slug="level-i").state == Grant.State.UNASSIGNED


def test_pressing_twice_returns_to_the_same_checkout(team_order, client):
    first = add(client, team_order, 4)
    second = add(client, team_order, 4)

    assert first["Location"] == second["Location"]
    assert len(added_to(team_order)) == 1


@pytest.mark.parametrize("quantity", ["0", "-1", "51", "1000000000", "abc", "", "2.5", "1e3", " "])
def test_a_bad_number_of_seats_is_refused_and_nothing_is_created(team_order, client, fake_stripe, quantity):
    answer = add(client, team_order, quantity)

    assert answer.status_code == 400
    assert 'aria-invalid="true"' in answer.text
    assert added_to(team_order) == []


def test_a_team_holds_at_most_max_team_seats(team_order, client, monkeypatch):
    monkeypatch.setattr("checkout.added_seats.MAX_TEAM_SEATS", 8)

    too_many = add(client, team_order, 4)
    assert too_many.status_code == 400 and "You can add from 1 to 3 seats of CPMA Bundle" in too_many.text
    assert add(client, team_order, 3).status_code == 303
    full = client.get(page_of(team_order)).text
    assert "the most seats of CPMA Bundle one team can have (8)" in full
    assert add(client, team_order, 1).status_code == 400  # the open checkout counts
    assert len(added_to(team_order)) == 1


def test_nobody_adds_seats_to_someone_elses_order_or_to_a_line_not_on_it(
    team_order, client, paid_order, fake_stripe
):
    other = paid_order("level-i", 3, email="other@example.com")
    sessions = len(fake_stripe.sessions)

    assert add(client, other, 2).status_code == 404  # not this buyer's
    assert (
        client.post(page_of(team_order) + "add/", {"line": other.lines.get().pk, "quantity": 2}).status_code
        == 400
    )
    assert (
        Client().post(page_of(team_order) + "add/", {"line": 1, "quantity": 2}).status_code == 404
    )  # signed out
    assert client.get(page_of(team_order) + "add/").status_code == 405  # a GET never starts a payment
    assert Order.objects.filter(adds_seats_to__isnull=False).count() == 0
    assert len(fake_stripe.sessions) == sessions


def test_leaving_the_payment_page_says_nothing_was_charged(team_order, client, fake_stripe):
    def fake_stripe_session_cancel_url(order):
        return fake_stripe.sessions[order.stripe_session_id]["cancel_url"]

    add(client, team_order, 2)
    (extra,) = added_to(team_order)
    cancel_url = fake_stripe_session_cancel_url(extra)
    page = client.get(cancel_url.removeprefix("http://testserver")).text
    assert "no seats were added and nothing was charged" in page
    assert "waiting for payment" in page


def test_the_paying_browser_returns_to_the_team_seat_manager(team_order, client, fake_stripe, deliver_event):
    add(client, team_order, 2)
    extra = added_to(team_order)[0]
    fake_stripe.complete_session(extra.stripe_session_id, email="buyer@example.com")

    success = client.get(f"/checkout/success/?session_id={extra.stripe_session_id}")

    assert success.status_code == 200
    assert f"2 more seats for order {team_order.reference}" in success.text
    assert f'href="{page_of(team_order)}"' in success.text
    assert "one is yours" not in success.text
    run_ready_tasks()
    assert client.get(page_of(team_order)).status_code == 200


def test_the_browser_that_paid_the_team_order_can_add_seats_and_give_them(
    paid_order, client, fake_stripe, deliver_event
):
    team = paid_order("level-i", 2)
    client.get(f"/checkout/success/?session_id={team.stripe_session_id}")  # signs this browser in for it

    assert add(client, team, 2).status_code == 303
    extra = added_to(team)[0]
    fake_stripe.complete_session(extra.stripe_session_id, email="buyer@example.com")
    assert (
        "2 more seats for order"
        in client.get(f"/checkout/success/?session_id={extra.stripe_session_id}").text
    )
    run_ready_tasks()

    page = client.get(page_of(team))
    assert page.status_code == 200 and "4 seats:" in page.text
    token = Grant.objects.get(order=extra, seat=4).token
    given = client.post(f"/purchases/seats/{token}/", {"name": "Kit", "email": "kit@studio.example"})
    assert given.status_code == 302
    assert Grant.objects.get(order=extra, seat=4).holder_email == "kit@studio.example"
    run_ready_tasks()
    (access,) = [m for m in mail.outbox if m.to == ["kit@studio.example"]]
    assert "/purchases/open/" in access.body


def test_reminders_reach_holders_of_added_seats_once_a_day(team_order, client, fake_stripe, deliver_event):
    add(client, team_order, 1)
    extra = pay(fake_stripe, deliver_event, added_to(team_order)[0])
    token = Grant.objects.filter(order=extra).first().token
    client.post(f"/purchases/seats/{token}/", {"name": "Kit", "email": "kit@studio.example"})
    run_ready_tasks()
    mail.outbox.clear()

    first = client.post(page_of(team_order) + "remind/")
    again = client.post(page_of(team_order) + "remind/")
    run_ready_tasks()

    assert first.status_code == again.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@studio.example", "kit@studio.example"]
    page = client.get(page_of(team_order)).text
    assert page.count("reminded ") == 2 and "(sending)" not in page


def test_a_refund_of_the_added_seats_ends_only_those_seats(team_order, client, fake_stripe, deliver_event):
    add(client, team_order, 2)
    extra = pay(fake_stripe, deliver_event, added_to(team_order)[0])

    deliver_event(make_event("refund.created", fake_stripe.refund(extra.stripe_session_id)))
    deliver_event(make_event("charge.refunded", fake_stripe.charge_for(extra.stripe_session_id)))
    run_ready_tasks()

    extra.refresh_from_db()
    assert extra.status == Order.Status.REFUNDED
    assert set(Grant.objects.filter(order=extra).values_list("state", flat=True)) == {Grant.State.REVOKED}
    assert Grant.objects.filter(order=team_order, state=Grant.State.REVOKED).count() == 0
    assert "access ended" in client.get(page_of(team_order)).text


def test_adding_seats_asks_the_digital_consent_and_keeps_it_on_the_new_order(
    team_order, client, fake_stripe, deliver_event
):
    import html

    from checkout import consent

    sessions = len(fake_stripe.sessions)
    page = html.unescape(client.get(page_of(team_order)).text)
    assert 'id="id_add_consent" required' in page and consent.FOR_OTHERS_TEXT in page

    refused = add(client, team_order, 2, digital_consent="")

    refused_page = html.unescape(refused.content.decode())
    assert refused.status_code == 400 and consent.FOR_OTHERS_REQUIRED_MESSAGE in refused_page
    assert "your access" not in refused_page  # the seats are for colleagues, not the buyer
    assert added_to(team_order) == [] and len(fake_stripe.sessions) == sessions

    assert add(client, team_order, 2).status_code == 303
    (extra,) = added_to(team_order)
    assert extra.digital_consent_version == consent.FOR_OTHERS_VERSION and extra.digital_consent_at
    assert extra.tax_behavior == "exclusive"
    mail.outbox.clear()
    pay(fake_stripe, deliver_event, extra)
    (confirmation,) = [m for m in mail.outbox if "confirmed" in m.subject]
    assert consent.FOR_OTHERS_TEXT in confirmation.body


def test_the_add_seats_price_says_vat_may_be_added(team_order, client, settings):
    import html

    from catalog.tax_codes import price_note

    page = html.unescape(client.get(page_of(team_order)).text)

    assert f"a seat {price_note(settings.TAX_BEHAVIOR)}, today's price" in page
