"""Staff refund an order in full from the order admin: the action queues a task that asks Stripe (one
idempotency key per order), and Stripe's answer and webhook do the rest as for a dashboard refund."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from checkout.models import Order
from payments.models import Refund
from tests.checkout.conftest import completed_event, run_ready_tasks
from tests.factories import make_staff
from tests.stripe_fake import make_event

ACTION = "refund_in_full"


@pytest.fixture
def paid(catalog, buy, fake_stripe, deliver_event) -> Order:
    _, order = buy("level-i")
    deliver_event(completed_event(fake_stripe, order, email="buyer@example.com", name="Test Buyer"))
    order.refresh_from_db()
    assert order.status == "paid"
    return order


@pytest.fixture
def refunder(client, db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = make_staff("refunder", group="Finance")
    user.user_permissions.add(Permission.objects.get(codename="refund_order"))
    client.force_login(user)
    return client


def refund_action(client, *orders: Order):
    return client.post(
        reverse("admin:checkout_order_changelist"),
        {"action": ACTION, "_selected_action": [o.pk for o in orders]},
        follow=True,
    )


def refund_posts(fake_stripe) -> list:
    return [r for r in fake_stripe.requests if r.method == "POST" and r.path == "/v1/refunds"]


def test_the_action_asks_stripe_once_and_the_order_is_refunded_with_a_receipt(
    paid, refunder, fake_stripe, deliver_event
):
    mail.outbox.clear()
    response = refund_action(refunder, paid)
    assert f"Full refund asked of Stripe for {paid.reference}" in response.content.decode()
    assert not refund_posts(fake_stripe)  # nothing in the request: the task asks Stripe

    run_ready_tasks()
    [post] = refund_posts(fake_stripe)
    assert post.form["payment_intent"] == paid.stripe_payment_intent_id
    assert post.form["reason"] == "requested_by_customer"
    assert post.header("Idempotency-Key").endswith(f"-refund-in-full-{paid.stripe_payment_intent_id}")
    paid.refresh_from_db()
    assert paid.status == "refunded" and paid.amount_refunded_cents == paid.total_cents
    [refund] = Refund.objects.filter(order=paid)
    assert refund.status == "succeeded"
    assert [m for m in mail.outbox if m.subject.startswith("Refund of")]
    assert paid.history.filter(kind="refund asked", source="staff:refunder").exists()

    # Stripe's webhooks for the same refund change nothing more.
    for event in list(fake_stripe.events):
        if event["type"] in ("refund.created", "charge.refunded"):
            deliver_event(event)
    assert Refund.objects.filter(order=paid).count() == 1
    assert len([m for m in mail.outbox if m.subject.startswith("Refund of")]) == 1


def test_a_second_ask_before_the_first_ran_makes_one_refund_at_stripe(paid, refunder, fake_stripe):
    refund_action(refunder, paid)
    refund_action(refunder, paid)
    run_ready_tasks()
    assert len(fake_stripe.refunds) == 1
    assert len({r.header("Idempotency-Key") for r in refund_posts(fake_stripe)}) == 1


def test_an_order_with_nothing_to_refund_is_refused_and_nothing_is_queued(
    paid, refunder, fake_stripe, deliver_event, buy
):
    refund = fake_stripe.refund(paid.stripe_session_id)
    deliver_event(make_event("refund.created", refund))
    _, pending = buy("level-i", quantity=2)
    response = refund_action(refunder, paid, pending).content.decode()
    assert f"{paid.reference} has nothing to refund" in response
    assert f"{pending.reference} has nothing to refund" in response
    assert "Nothing was asked of Stripe." in response
    assert run_ready_tasks() == 0
    assert not refund_posts(fake_stripe)


def test_a_partly_refunded_order_gets_the_rest_back(paid, refunder, fake_stripe, deliver_event):
    deliver_event(make_event("refund.created", fake_stripe.refund(paid.stripe_session_id, amount=4700)))
    refund_action(refunder, paid)
    run_ready_tasks()
    paid.refresh_from_db()
    assert paid.status == "refunded"
    assert sorted(Refund.objects.filter(order=paid).values_list("amount_cents", flat=True)) == [
        4700,
        paid.total_cents - 4700,
    ]


def test_finance_without_the_refund_permission_does_not_see_the_action(paid, client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client.force_login(make_staff("money", group="Finance"))
    listing = client.get(reverse("admin:checkout_order_changelist")).content.decode()
    assert "Bring in line with Stripe" in listing
    assert "Refund in full at Stripe" not in listing
    response = client.post(
        reverse("admin:checkout_order_changelist"), {"action": ACTION, "_selected_action": [paid.pk]}
    )
    assert response.status_code in (200, 302)
    assert run_ready_tasks() == 0
    assert not paid.history.filter(kind="refund asked").exists()
