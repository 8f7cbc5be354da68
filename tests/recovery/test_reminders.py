"""One reminder or none: sent after an expired session whose buyer asked for it, never twice, never after
the buyer paid, unsubscribed or used a payment request, whatever order the events come in."""

import pytest
from django.core import mail
from django.utils import timezone

from catalog.models import Product, ProductPrice
from checkout.models import Order
from checkout.stripe_client import stripe_client
from invoicing.models import PaymentRequest
from recovery import decisions
from recovery.models import Reminder, Unsubscribe
from tests.factories import make_order
from tests.recovery.conftest import expired_event, reminders_sent
from tests.stripe_fake import make_event

pytestmark = pytest.mark.django_db


def test_an_expired_session_with_consent_gets_one_reminder_with_both_parts_and_unsubscribe_headers(
    start, expire
):
    order = start("level-i", 2)
    expire(order)

    [message] = reminders_sent()
    assert message.to == ["producer@example.com"]
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith(
        "<http://testserver/order-reminder/unsubscribe/"
    )
    assert "2 seats" in message.body
    reminder = Reminder.objects.get()
    assert reminder.decision == Reminder.Decision.SEND and reminder.sent_at is not None
    assert Order.objects.get(pk=order.pk).status == Order.Status.EXPIRED


def test_the_reminder_states_todays_price_not_the_expired_sessions(start, expire, catalog):
    order = start("level-i", 2)
    product = catalog["level-i"]
    product.price_cents = 20000
    product.save()

    expire(order)

    [message] = reminders_sent()
    assert "$200 each, $400 in all" in message.body
    assert "$400" in message.alternatives[0][0]


def test_no_consent_no_reminder(start, expire):
    expire(start(consent=False))

    assert mail.outbox == []
    assert not Reminder.objects.exists()


def test_the_event_delivered_twice_sends_one_reminder(start, deliver_event):
    order = start()
    event = expired_event(order)

    deliver_event(event)
    deliver_event(event)
    deliver_event({**event, "id": event["id"] + "x"})  # the same news under another event id

    assert len(reminders_sent()) == 1
    assert Reminder.objects.count() == 1


def test_deciding_again_after_the_decision_changes_nothing(start, expire):
    order = start()
    expire(order)

    assert decisions.decide(order.pk) == "decided already"
    assert len(reminders_sent()) == 1


def test_an_expired_event_arriving_after_the_payment_sends_nothing(start, deliver_event, fake_stripe):
    order = start()
    stale = make_event(
        "checkout.session.expired", {"id": order.stripe_session_id, "object": "checkout.session"}
    )
    session = fake_stripe.complete_session(order.stripe_session_id, email="producer@example.com")
    deliver_event(make_event("checkout.session.completed", session))
    mail.outbox.clear()

    deliver_event(stale)  # late and out of order: Stripe says the session is complete

    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert reminders_sent() == []
    assert not Reminder.objects.exists()


def test_a_session_expired_after_the_buyer_paid_elsewhere_sends_nothing(start, expire, catalog):
    order = start()
    make_order([(catalog["level-i"], 1)], email="producer@example.com")  # paid on another order since

    expire(order)

    assert reminders_sent() == []
    assert Reminder.objects.get().reason == "the buyer has paid for this product since"


def test_paying_for_another_product_does_not_stop_the_reminder(start, expire, catalog):
    order = start("level-i")
    make_order([(catalog["ai-kit"], 1)], email="producer@example.com")

    expire(order)

    assert len(reminders_sent()) == 1


def test_an_unknown_session_is_answered_and_sends_nothing(deliver_event, fake_stripe, catalog):
    session = stripe_client().v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "success_url": "http://testserver/x",
            "line_items": [
                {
                    "price_data": {"currency": "usd", "unit_amount": 100, "product_data": {"name": "x"}},
                    "quantity": 1,
                }
            ],
        }
    )
    expired = stripe_client().v1.checkout.sessions.expire(session.id).to_dict()

    response = deliver_event(make_event("checkout.session.expired", expired))

    assert response.status_code == 200
    assert mail.outbox == []


def test_a_buyer_who_consented_twice_gets_one_reminder(start, expire, client):
    first = start("level-i", 1)
    client.cookies.clear()  # another browser: another order for the same product
    second = start("level-i", 2)
    assert first.pk != second.pk

    expire(first)
    expire(second)

    assert len(Reminder.objects.filter(decision=Reminder.Decision.SEND)) == 1
    skipped = Reminder.objects.get(decision=Reminder.Decision.SKIPPED)
    assert skipped.reason == "a reminder for this product went to this buyer recently"


def test_after_the_window_another_reminder_may_go(start, expire, client, settings):
    settings.RECOVERY_REMINDER_WINDOW_DAYS = 3
    first = start("level-i", 1)
    expire(first)
    Reminder.objects.update(decided_at=timezone.now() - timezone.timedelta(days=4))
    client.cookies.clear()

    expire(start("level-i", 1))

    assert len(reminders_sent()) == 1
    assert Reminder.objects.filter(decision=Reminder.Decision.SEND).count() == 2


def test_an_unsubscribed_buyer_gets_no_reminder(start, expire):
    Unsubscribe.objects.create(email="producer@example.com", unsubscribed_at=timezone.now())

    expire(start())

    assert reminders_sent() == []
    assert Reminder.objects.get().reason == "the buyer unsubscribed"


def test_an_order_that_had_a_payment_request_gets_no_reminder(start, expire):
    order = start()
    PaymentRequest.objects.create(  # asked, then cancelled: the order may expire, and it is the payer's
        order=order,
        state=PaymentRequest.State.CANCELLED,
        token_hash="0" * 64,
        buyer_name="Pat Producer",
        buyer_email="producer@example.com",
        payer_name="Max Manager",
        payer_email="max@example.com",
        company_name="Studio Ltd",
        billing_country="US",
    )

    expire(order)

    assert Order.objects.get(pk=order.pk).status == Order.Status.EXPIRED
    assert reminders_sent() == []
    assert Reminder.objects.get().reason == "the order is a payment request's"


def test_a_buyer_who_unsubscribes_between_the_decision_and_the_send_gets_nothing(start, run_tasks):
    order = start()
    Order.objects.filter(pk=order.pk).update(status=Order.Status.EXPIRED)
    assert decisions.decide(order.pk) == Reminder.Decision.SEND
    Unsubscribe.objects.create(email="producer@example.com", unsubscribed_at=timezone.now())

    run_tasks()

    assert reminders_sent() == []
    assert Reminder.objects.get().reason == "the buyer unsubscribed before it was sent"


def test_a_product_no_longer_for_sale_gets_no_reminder(start, expire, catalog):
    order = start("level-i", 2)
    Product.objects.filter(slug="level-i").update(is_active=False)

    expire(order)

    assert reminders_sent() == []
    assert Reminder.objects.get().reason == "the product cannot be bought at the moment"


def test_a_price_withdrawn_in_the_orders_currency_stops_the_reminder_at_the_send(start, catalog, run_tasks):
    order = start("level-i", 1)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.EXPIRED, currency="EUR")
    ProductPrice.objects.update_or_create(
        product=catalog["level-i"], currency="EUR", defaults={"amount_cents": 13900}
    )
    assert decisions.decide(order.pk) == Reminder.Decision.SEND
    ProductPrice.objects.filter(currency="EUR").delete()  # staff stop selling it in euros

    run_tasks()

    assert reminders_sent() == []  # never a reminder quoting dollars for a euro order
    assert Reminder.objects.get().reason == "the product is no longer sold in EUR"


def test_a_euro_order_is_reminded_at_todays_euro_price(start, catalog, run_tasks):
    order = start("level-i", 2)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.EXPIRED, currency="EUR")
    ProductPrice.objects.update_or_create(
        product=catalog["level-i"], currency="EUR", defaults={"amount_cents": 13900}
    )
    decisions.decide(order.pk)

    run_tasks()

    [message] = reminders_sent()
    assert "€139 each, €278 in all" in message.body


def test_a_buyer_held_out_stays_unreminded_for_that_product_within_the_window(start, expire, client):
    first = start("level-i", 1)
    expire(first)
    Reminder.objects.filter(order=first).update(decision=Reminder.Decision.HELD_OUT, sent_at=None)
    client.cookies.clear()

    expire(start("level-i", 1))

    assert reminders_sent() == []
    skipped = Reminder.objects.get(decision=Reminder.Decision.SKIPPED)
    assert skipped.reason == "this buyer was held out for this product recently"


def test_a_payment_requests_session_gets_no_reminder(start, expire, monkeypatch):
    order = start()
    monkeypatch.setattr("checkout.payers.has_payment_request", lambda o: o.pk == order.pk)
    monkeypatch.setattr("checkout.payers.has_open_payment_request", lambda o: False)

    expire(order)

    assert reminders_sent() == []
    assert Reminder.objects.get().reason == "the order is a payment request's"


def test_a_buyer_who_pays_between_the_decision_and_the_send_gets_nothing(start, catalog, run_tasks):
    order = start()
    Order.objects.filter(pk=order.pk).update(status=Order.Status.EXPIRED)
    assert decisions.decide(order.pk) == Reminder.Decision.SEND  # the send task is queued, not yet run
    make_order([(catalog["level-i"], 1)], email="producer@example.com")

    run_tasks()

    assert reminders_sent() == []
    reminder = Reminder.objects.get()
    assert reminder.decision == Reminder.Decision.SKIPPED and reminder.sent_at is None


def test_the_holdout_gets_no_reminder_and_is_recorded(start, expire, settings, client):
    settings.RECOVERY_HOLDOUT_PERCENT = 50
    held = None
    for attempt in range(40):
        client.cookies.clear()  # a new browser each time: a new order and session
        order = start("level-i", 1, email=f"buyer{attempt}@example.com")
        if decisions.held_out(order.stripe_session_id):
            held = order
            break
    assert held is not None

    expire(held)

    assert reminders_sent() == []
    assert Reminder.objects.get(order=held).decision == Reminder.Decision.HELD_OUT


def test_the_holdout_is_a_stable_share_of_sessions(settings):
    settings.RECOVERY_HOLDOUT_PERCENT = 10
    ids = [f"cs_test_{n:06d}" for n in range(4000)]

    first = [decisions.held_out(i) for i in ids]

    assert first == [decisions.held_out(i) for i in ids]
    assert 300 < sum(first) < 500
    settings.RECOVERY_HOLDOUT_PERCENT = 0
    assert not any(decisions.held_out(i) for i in ids)


def test_a_purchase_before_the_abandoned_one_does_not_stop_the_reminder(start, expire, catalog):
    make_order(
        [(catalog["level-i"], 1)],
        email="producer@example.com",
        paid_at=timezone.now() - timezone.timedelta(days=60),
    )  # bought one seat two months ago, now came back for more

    expire(start("level-i", 3))

    assert len(reminders_sent()) == 1
