"""The way back: a signed, expiring page that shows today's price and the seats; only its button starts a
new checkout, tied to the reminder. One-click unsubscribe: the POST unsubscribes, a GET only asks."""

import html
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from checkout.models import Order
from recovery.models import RecoveredOrder, Reminder, Unsubscribe
from tests.factories import make_order
from tests.recovery.conftest import expired_event, reminders_sent

pytestmark = pytest.mark.django_db


def way_back_path(message) -> str:
    return re.search(r"http://testserver(/order-reminder/[^/\s]+/)", message.body).group(1)


@pytest.fixture
def reminded(start, expire):
    def reminded(slug: str = "level-i", quantity: int = 2):
        order = start(slug, quantity)
        expire(order)
        [message] = reminders_sent()
        return order, message

    return reminded


def test_opening_the_link_shows_todays_price_and_seats_and_changes_nothing(reminded, client, catalog):
    _, message = reminded("level-i", 2)
    product = catalog["level-i"]
    product.price_cents = 15000
    product.save()
    orders_before = Order.objects.count()

    page = client.get(way_back_path(message)).content.decode()

    assert "2 seats of" in page and "$150 each" in page and "$300" in page
    assert "Finish paying" in page
    assert Order.objects.count() == orders_before  # a mail scanner's GET starts nothing
    assert not RecoveredOrder.objects.exists()


def test_pressing_the_button_starts_a_new_order_at_todays_price_tied_to_the_reminder(
    reminded, client, catalog, fake_stripe
):
    order, message = reminded("level-i", 2)
    product = catalog["level-i"]
    product.price_cents = 15000
    product.save()

    response = client.post(way_back_path(message), {"digital_consent": "on"})

    assert response.status_code == 303
    new = Order.objects.order_by("-pk").first()
    assert new.pk != order.pk and response["Location"] == new.checkout_url
    assert new.total_cents == 30000 and new.lines.get().quantity == 2
    assert new.recovered.recovered_from == Reminder.objects.get(order=order)
    assert fake_stripe.session_requests()[-1].form["line_items"][0]["price_data"]["unit_amount"] == "15000"
    assert fake_stripe.session_requests()[-1].form["metadata"] == {
        "order_reference": new.reference,
        "recovered_from": order.stripe_session_id,
    }


def test_a_buyer_who_paid_since_sees_no_button(reminded, client, catalog):
    _, message = reminded()
    make_order([(catalog["level-i"], 1)], email="producer@example.com")

    page = client.get(way_back_path(message)).content.decode()
    assert "already bought" in page and "Finish paying" not in page
    assert client.post(way_back_path(message)).status_code == 409


def test_an_expired_link_says_so_and_a_forged_one_opens_nothing(reminded, client, settings):
    _, message = reminded()
    path = way_back_path(message)

    assert client.get(path.replace("/order-reminder/", "/order-reminder/x")).status_code == 404
    settings.RECOVERY_LINK_MAX_AGE_DAYS = 0
    response = client.post(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_team_cart_also_offers_the_company_route_with_the_seats_filled_in(reminded, client):
    _, message = reminded("level-i", 3)

    page = html.unescape(client.get(way_back_path(message)).content.decode())

    assert "Send this to my company to pay" in page
    company_url = re.search(r'href="([^"]+)">Send this to my company to pay', page).group(1)
    assert company_url == "/checkout/level-i/?quantity=3&pay=company#company-pays"
    review = client.get(company_url.split("#")[0]).content.decode()
    assert '<details class="company-pays" id="company-pays" open>' in review
    assert re.search(r'name="request-quantity" value="3"', review)
    assert "/checkout/level-i/?quantity=3" in page  # "Change the order" too
    assert "If your company pays for the seats" in message.body


def test_the_company_route_carries_the_po_number(start, expire, client):
    order = start("level-i", 4)
    Order.objects.filter(pk=order.pk).update(po_number="PO 7/12")
    expire(order)
    [message] = reminders_sent()

    page = html.unescape(client.get(way_back_path(message)).content.decode())
    company_url = re.search(r'href="([^"]+)">Send this to my company to pay', page).group(1)
    review = client.get(company_url.split("#")[0]).content.decode()

    assert "po_number=PO+7%2F12" in company_url
    assert 'name="request-po_number" value="PO 7/12"' in review


def test_the_review_page_keeps_my_company_pays_closed_unless_asked(client, catalog, fake_stripe):
    review = client.get("/checkout/level-i/?quantity=3").content.decode()

    assert '<details class="company-pays" id="company-pays">' in review


def test_two_seats_get_no_company_route(reminded, client):
    _, message = reminded("level-i", 2)

    assert "Send this to my company to pay" not in client.get(way_back_path(message)).content.decode()
    assert "If your company pays" not in message.body


def test_pressing_the_button_twice_opens_one_order_and_one_session(reminded, client, fake_stripe):
    _, message = reminded("level-i", 2)

    first = client.post(way_back_path(message), {"digital_consent": "on"})
    second = client.post(way_back_path(message), {"digital_consent": "on"})

    assert first["Location"] == second["Location"]
    assert RecoveredOrder.objects.count() == 1


def test_the_order_started_from_the_reminder_gets_no_second_reminder(reminded, client, deliver_event):
    _, message = reminded("level-i", 2)
    client.post(way_back_path(message), {"digital_consent": "on"})
    again = RecoveredOrder.objects.get().order
    mail.outbox.clear()

    deliver_event(expired_event(again))  # the buyer walked away a second time

    assert Order.objects.get(pk=again.pk).status == Order.Status.EXPIRED
    assert reminders_sent() == []
    assert Reminder.objects.count() == 1


def test_one_click_unsubscribe_works_without_our_forms_token(reminded):
    _, message = reminded()
    url = message.extra_headers["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert Unsubscribe.objects.filter(email="producer@example.com").exists()


def test_a_get_of_the_unsubscribe_link_only_asks(reminded, client):
    _, message = reminded()
    url = re.search(r"http://testserver(/order-reminder/unsubscribe/\S+/)", message.body).group(1)

    page = client.get(url).content.decode()

    assert "Unsubscribe</button>" in page
    assert not Unsubscribe.objects.exists()
    client.post(url)
    assert Unsubscribe.objects.get().email == "producer@example.com"


def test_a_forged_unsubscribe_link_is_refused(reminded, client):
    _, message = reminded()
    url = re.search(r"http://testserver(/order-reminder/unsubscribe/\S+/)", message.body).group(1)

    assert client.post(url[:-4] + "xx/").status_code == 404
    assert not Unsubscribe.objects.exists()
    assert "producer" not in url.lower()  # the address never travels in the link


def test_after_unsubscribing_no_further_reminder_goes(reminded, start, expire, client, settings):
    settings.RECOVERY_REMINDER_WINDOW_DAYS = 1
    _, message = reminded()
    client.post(re.search(r"http://testserver(/order-reminder/unsubscribe/\S+/)", message.body).group(1))
    Reminder.objects.update(decided_at=timezone.now() - timezone.timedelta(days=2))
    client.cookies.clear()
    mail.outbox.clear()

    expire(start("level-i", 1))

    assert reminders_sent() == []


def test_staff_see_each_decision_with_its_reason(reminded, client, settings):
    from tests.factories import make_staff

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    reminded()
    staff = make_staff("boss")
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)

    page = client.get("/admin/recovery/reminder/").content.decode()

    assert "producer@example.com" in page and "Reminder due" in page


def test_finishing_payment_asks_the_digital_consent_and_keeps_it_on_the_new_order(
    reminded, client, fake_stripe
):
    import html

    from checkout import consent

    order, message = reminded("level-i", 2)
    sessions = len(fake_stripe.session_requests())
    page = html.unescape(client.get(way_back_path(message)).content.decode())
    assert consent.TEXT in page and 'id="id_digital_consent" required>' in page

    refused = client.post(way_back_path(message))

    assert refused.status_code == 400 and consent.REQUIRED_MESSAGE in html.unescape(refused.content.decode())
    assert Order.objects.order_by("-pk").first().pk == order.pk
    assert len(fake_stripe.session_requests()) == sessions
    assert client.post(way_back_path(message), {"digital_consent": "on"}).status_code == 303
    new = Order.objects.order_by("-pk").first()
    assert new.pk != order.pk and new.digital_consent_version == consent.VERSION and new.digital_consent_at
