"""Fulfilment does not depend on the order, staleness or repetition of Stripe's events.

A property-style test drives many orders through random realistic histories on the fake Stripe, then
delivers every event they produced (with the snapshot each carried when it was sent) shuffled across
orders, with duplicates, running the background tasks at random moments and with random Stripe outages;
whatever the interleaving, the end state is the one Stripe's current state implies. Explicit tests follow
for the mutants the mutation run left alive.
"""

import datetime as dt
import json
import os
import random
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from catalog.models import Product
from checkout import emails, services, states
from checkout.models import EmailDelivery, Order
from checkout.stripe_client import stripe_client
from payments import sync as stripe_sync
from payments.models import Dispute, Payment, Refund, StripeEvent
from tests.checkout.conftest import completed_event, run_ready_tasks, signed_post
from tests.stripe_fake import FakeStripe, make_event

Status = Order.Status
MONEY_RECEIVED = {Status.PAID, Status.PARTIALLY_REFUNDED, Status.REFUNDED}
# Orders per seed: 24 keeps the suite fast (each history twice per seed); EVENT_ORDER_ORDERS=400 for a soak.
ORDERS_PER_RUN = int(os.environ.get("EVENT_ORDER_ORDERS", "24"))
# Status changes in the order's history once everything is handled: each event's task fetches Stripe's
# final state, so an async payment goes straight to paid or failed; refunds move the status one at a time.
STATUS_MOVES = {"open": 0, "partial refund": 2, "full refund": 2, "two refunds": 3}

# What the order's status must be once every event is handled, for each history.
HISTORIES = {
    "open": Status.PENDING,
    "expired": Status.EXPIRED,
    "paid": Status.PAID,
    "free": Status.PAID,
    "async succeeded": Status.PAID,
    "async failed": Status.FAILED,
    "partial refund": Status.PARTIALLY_REFUNDED,
    "full refund": Status.REFUNDED,
    "two refunds": Status.REFUNDED,
    "pending refund then failed": Status.PAID,
    "dispute lost": Status.PAID,
    "dispute won": Status.PAID,
}


@pytest.fixture(autouse=True)
def patient_stripe(fake_stripe, settings):
    """These tests inject their own Stripe failures; a slow shared machine must not add timeouts."""
    settings.STRIPE_TIMEOUT_SECONDS = 10
    return fake_stripe


def backdate_charge(fake: FakeStripe, session_id: str, created: int) -> None:
    """Stripe's charge time is when the money was received; move it into the past so a paid time taken
    from our clock instead of Stripe's shows."""
    with fake._lock:
        intent = fake.payment_intents[fake.sessions[session_id]["payment_intent"]]
        fake.charges[intent["latest_charge"]]["created"] = created


def drive(
    fake: FakeStripe, order: Order, history: str, rng: random.Random, events: list[dict]
) -> Iterator[None]:
    """Play `history` on the fake for the order's session, one Stripe step per `next()`, appending to `events`
    what Stripe would have sent, each carrying the snapshot of the moment it was sent."""
    sid = order.stripe_session_id
    email = f"buyer-{order.pk}@example.com"
    past = int(time.time()) - rng.randint(3600, 2 * 24 * 3600)

    def emit(event_type: str, obj: dict) -> None:
        events.append(make_event(event_type, obj))

    if history == "open":
        return
    if history == "expired":
        emit("checkout.session.expired", fake.expire_session(sid))
        return
    if history == "free":
        subtotal = fake.sessions[sid]["amount_subtotal"]
        emit(
            "checkout.session.completed",
            fake.complete_session(
                sid, payment_status="no_payment_required", email=email, amount_discount=subtotal
            ),
        )
        return
    if history.startswith("async"):
        emit("checkout.session.completed", fake.complete_session(sid, payment_status="unpaid", email=email))
        yield
        succeeded = history == "async succeeded"
        session = fake.settle_async(sid, succeeded=succeeded)
        if succeeded:
            backdate_charge(fake, sid, past)
        kind = "succeeded" if succeeded else "failed"
        emit(f"checkout.session.async_payment_{kind}", session)
        return
    session = fake.complete_session(sid, email=email)
    backdate_charge(fake, sid, past)
    emit("checkout.session.completed", session)
    yield
    total = fake.sessions[sid]["amount_total"]

    def refund(amount: int | None, **kwargs) -> dict:
        made = fake.refund(sid, amount=amount, created=past + rng.randint(60, 3600), **kwargs)
        emit("refund.created", made)
        emit("charge.refunded", fake.charge_for(sid))
        return made

    if history == "partial refund":
        refund(rng.randint(1, total - 1))
    elif history == "full refund":
        refund(None)
    elif history == "two refunds":
        first = rng.randint(1, total - 1)
        refund(first)
        yield
        refund(total - first)
    elif history == "pending refund then failed":
        made = refund(rng.randint(1, total), status="pending")
        yield
        emit("refund.updated", fake.update_refund(made["id"], status="failed"))
        emit("charge.refund.updated", fake.refunds[made["id"]])
    elif history.startswith("dispute"):
        dispute = fake.dispute(sid)
        emit("charge.dispute.created", dispute)
        emit("charge.dispute.funds_withdrawn", dispute)
        yield
        won = history == "dispute won"
        closed = fake.close_dispute(dispute["id"], won=won)
        emit("charge.dispute.closed", closed)
        if won:
            emit("charge.dispute.funds_reinstated", closed)


def make_retries_due() -> None:
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def drain_tasks() -> None:
    """Run tasks, retries included, until nothing is left to do."""
    for _ in range(30):
        make_retries_due()
        if run_ready_tasks() == 0:
            return
    pytest.fail("background tasks never settled")


def stripe_time(timestamp: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)


def deliver_shuffled(client, fake: FakeStripe, events: list[dict], rng: random.Random) -> None:
    """POST the events in random order, some twice (same id, as Stripe redelivers), with an occasional
    Stripe outage for the task that runs next and tasks run at random moments."""
    deliveries = events + [event for event in events if rng.random() < 0.3]
    rng.shuffle(deliveries)
    for event in deliveries:
        if rng.random() < 0.05:
            fake.fail_next("500")
        response = signed_post(client, json.dumps(event).encode())
        assert response.status_code == 200, response.content
        if rng.random() < 0.2:
            run_ready_tasks()


@pytest.mark.parametrize(
    ("seed", "when"),
    [(7, "after the histories"), (2026, "after the histories"), (424242, "while the histories unfold")],
)
def test_any_interleaving_of_events_ends_in_the_state_stripe_shows(catalog, client, fake_stripe, seed, when):
    """`after the histories`: every task sees Stripe's final state. `while the histories unfold`: events are
    delivered and tasks run between Stripe's steps, so tasks also see intermediate states (processing,
    disputes still open), a refund pending and then failed among them."""
    rng = random.Random(seed)
    products = list(Product.objects.order_by("pk"))
    unfolding = when == "while the histories unfold"
    kinds = list(HISTORIES)
    orders: dict[int, str] = {}
    events: list[dict] = []
    steps: list[Iterator[None]] = []
    for index in range(ORDERS_PER_RUN):
        history = kinds[index % len(kinds)] if index < len(kinds) else rng.choice(kinds)
        started = services.start_checkout(product=rng.choice(products), quantity=rng.randint(1, 6))
        orders[started.order.pk] = history
        steps.append(drive(fake_stripe, started.order, history, rng, events))

    if unfolding:
        delivered = 0
        while steps:
            step = rng.choice(steps)
            if next(step, StopIteration) is StopIteration:
                steps.remove(step)
            if rng.random() < 0.3:
                deliver_shuffled(client, fake_stripe, events[delivered:], rng)
                delivered = len(events)
        deliver_shuffled(client, fake_stripe, events[delivered:], rng)
    else:
        for step in steps:
            for _ in step:
                pass
        deliver_shuffled(client, fake_stripe, events, rng)
    drain_tasks()

    assert StripeEvent.objects.count() == len(events)
    assert not StripeEvent.objects.filter(handled_at__isnull=True).exists()
    paid_at_stripe = {
        pk
        for pk, order in zip(orders, Order.objects.filter(pk__in=orders).order_by("pk"), strict=True)
        if fake_stripe.sessions[order.stripe_session_id]["payment_status"] in ("paid", "no_payment_required")
    }
    money_received = set(Order.objects.filter(status__in=MONEY_RECEIVED).values_list("pk", flat=True))
    sent = Counter(
        EmailDelivery.objects.filter(purpose=emails.CONFIRMATION, sent_at__isnull=False).values_list(
            "order_id", flat=True
        )
    )
    # Holders are also told when a refund or a lost dispute ends their access (tests/access); count the
    # confirmations here.
    subjects = [message.subject for message in mail.outbox if "is confirmed" in message.subject]
    assert money_received == paid_at_stripe
    assert set(sent) == paid_at_stripe and set(sent.values()) <= {1}
    assert len(subjects) == len(paid_at_stripe)

    for order in Order.objects.filter(pk__in=orders):
        history = orders[order.pk]
        session = fake_stripe.sessions[order.stripe_session_id]
        where = f"{order.reference} ({history}, seed {seed})"
        assert order.status == HISTORIES[history], where
        assert order.needs_review == history.startswith("dispute"), (where, order.review_reason)
        confirmations = [subject for subject in subjects if order.reference in subject]
        if order.pk in paid_at_stripe:
            assert len(confirmations) == 1, where
            access = set(order.grants.values_list("state", flat=True))
            if history in ("full refund", "two refunds", "dispute lost"):
                assert "active" not in access and "unassigned" not in access, where  # revoked, or never given
            else:
                assert "active" in access and "revoked" not in access, where
            assert order.paid_at is not None, where
            assert order.confirmation_sent_at is not None, where
            assert order.email == f"buyer-{order.pk}@example.com", where
        else:
            assert confirmations == [], where
            assert order.paid_at is None, where
            assert not order.emails.exists(), where
        if session["payment_intent"] and session["payment_status"] == "paid":
            charge = fake_stripe.charge_for(order.stripe_session_id)
            assert order.paid_at == stripe_time(charge["created"]), f"{where}: paid time is Stripe's"
            assert order.amount_refunded_cents == charge["amount_refunded"], where
            payment = order.payments.get()
            transaction = fake_stripe.balance_transactions[charge["balance_transaction"]]
            assert (payment.fee_cents, payment.net_cents) == (transaction["fee"], transaction["net"]), where
        else:
            assert order.amount_refunded_cents == 0, where
        if not unfolding:
            assert order.history.filter(kind="status").count() == STATUS_MOVES.get(history, 1), where

    stripe_refunds = list(fake_stripe.refunds.values())
    assert Refund.objects.count() == len(stripe_refunds)
    for refund in stripe_refunds:
        record = Refund.objects.get(stripe_refund_id=refund["id"])
        assert record.created == stripe_time(refund["created"]), "a refund is dated when Stripe made it"
        assert (record.amount_cents, record.status) == (refund["amount"], refund["status"])
        assert record.order.stripe_payment_intent_id == refund["payment_intent"]
    stripe_disputes = list(fake_stripe.disputes.values())
    assert Dispute.objects.count() == len(stripe_disputes)
    for dispute in stripe_disputes:
        record = Dispute.objects.get(stripe_dispute_id=dispute["id"])
        assert record.status == dispute["status"]
        assert record.funds_withdrawn_at is not None
        assert (record.funds_reinstated_at is not None) == (dispute["status"] == "won")


# The mutants the mutation run left alive, one test each.


@pytest.fixture
def order(catalog, buy):
    response, order = buy("level-i", 2)
    assert response.status_code == 303
    return order


def deliver(client, *events: dict) -> None:
    for event in events:
        assert signed_post(client, json.dumps(event).encode()).status_code == 200
    drain_tasks()


def test_session_that_needs_no_payment_counts_as_paid(client, fake_stripe, order):
    subtotal = order.subtotal_cents

    deliver(
        client,
        completed_event(fake_stripe, order, payment_status="no_payment_required", amount_discount=subtotal),
    )

    order.refresh_from_db()
    assert order.status == Status.PAID
    assert order.paid_at is not None
    assert (order.discount_cents, order.total_cents) == (subtotal, 0)
    assert order.payments.get().status == Payment.Status.SUCCEEDED
    assert not order.needs_review
    assert [m.subject for m in mail.outbox] == [f"Your CPMA order {order.reference} is confirmed"]


def test_money_received_for_an_expired_order_is_flagged_and_not_confirmed(client, fake_stripe, order):
    Order.objects.filter(pk=order.pk).update(status=Status.EXPIRED)

    deliver(client, completed_event(fake_stripe, order))

    order.refresh_from_db()
    assert order.status == Status.EXPIRED
    assert order.needs_review is True
    assert "received money but the order is expired" in order.review_reason
    assert order.history.filter(kind="flagged").exists()
    assert mail.outbox == []


def test_refund_on_an_order_that_never_completed_is_recorded_and_flagged(client, fake_stripe, order):
    Order.objects.filter(pk=order.pk).update(status=Status.FAILED)
    fake_stripe.complete_session(order.stripe_session_id)
    refund = fake_stripe.refund(order.stripe_session_id, amount=500)

    deliver(client, make_event("refund.created", refund))

    order.refresh_from_db()
    assert order.status == Status.FAILED
    assert order.refunds.get().stripe_refund_id == refund["id"]
    assert order.needs_review is True
    (reason,) = [line for line in order.review_reason.splitlines() if refund["id"] in line]
    assert "never completed" in reason
    assert mail.outbox == []


def test_session_with_the_reference_of_an_order_that_has_another_session_is_not_matched(
    client, fake_stripe, order
):
    # A second session carrying this order's reference (made elsewhere: a restored database, a script).
    other = stripe_client().v1.checkout.sessions.create(params=services.checkout_session_params(order))
    assert other.client_reference_id == order.reference
    paid_elsewhere = fake_stripe.complete_session(other.id, email="someone-else@example.com")

    deliver(client, make_event("checkout.session.completed", paid_elsewhere))

    order.refresh_from_db()
    assert order.stripe_session_id != other.id
    assert order.status == Status.PENDING
    assert order.paid_at is None
    assert order.email == ""
    assert not Payment.objects.exists()
    assert StripeEvent.objects.get().order is None
    assert mail.outbox == []


def test_session_with_the_reference_of_an_order_without_a_session_id_is_matched(client, fake_stripe, order):
    """The other side of the rule above: a checkout whose session id was never stored (the request died
    after Stripe answered) is found by its reference."""
    session_id = order.stripe_session_id
    Order.objects.filter(pk=order.pk).update(stripe_session_id=None)

    deliver(client, make_event("checkout.session.completed", fake_stripe.complete_session(session_id)))

    order.refresh_from_db()
    assert (order.stripe_session_id, order.status) == (session_id, Status.PAID)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("paid_status", sorted(MONEY_RECEIVED))
@pytest.mark.parametrize("target", [Status.FAILED, Status.EXPIRED, Status.PENDING, Status.PROCESSING])
def test_an_order_that_received_money_never_moves_back(order, paid_status, target):
    order.status = paid_status

    assert states.move(order, target, source="test") is False
    assert order.status == paid_status
    assert not order.history.exists()


def test_processing_order_never_moves_to_expired(order):
    order.status = Status.PROCESSING

    assert states.move(order, Status.EXPIRED, source="test") is False
    assert order.status == Status.PROCESSING


def test_paid_order_stays_paid_when_async_payment_failed_arrives_after(client, fake_stripe, order):
    deliver(client, completed_event(fake_stripe, order))
    # A stale or inconsistent read: Stripe's answer now says the payment failed.
    intent_id = fake_stripe.sessions[order.stripe_session_id]["payment_intent"]
    fake_stripe.payment_intents[intent_id]["status"] = "requires_payment_method"
    failed = fake_stripe.set_session(order.stripe_session_id, payment_status="unpaid")

    deliver(client, make_event("checkout.session.async_payment_failed", failed))

    order.refresh_from_db()
    assert order.status == Status.PAID
    assert order.paid_at is not None
    assert order.payments.get().status == Payment.Status.SUCCEEDED
    assert len(mail.outbox) == 1


def test_processing_order_stays_processing_when_an_expired_event_arrives(client, fake_stripe, order):
    deliver(client, completed_event(fake_stripe, order, payment_status="unpaid"))
    order.refresh_from_db()
    assert order.status == Status.PROCESSING

    expired = fake_stripe.set_session(order.stripe_session_id, status="expired")
    deliver(client, make_event("checkout.session.expired", expired))

    order.refresh_from_db()
    assert order.status == Status.PROCESSING
    assert mail.outbox == []


@pytest.mark.parametrize("first", ["refund.created", "charge.refunded", "charge.dispute.created"])
def test_money_event_before_completion_still_sets_paid_time_confirms_once_and_dates_the_refund(
    client, fake_stripe, order, first
):
    completed = completed_event(fake_stripe, order)
    paid = int(time.time()) - 7200
    backdate_charge(fake_stripe, order.stripe_session_id, paid)
    refund = fake_stripe.refund(order.stripe_session_id, amount=1000, created=paid + 600)
    dispute = fake_stripe.dispute(order.stripe_session_id) if first.startswith("charge.dispute") else None
    early = {
        "refund.created": lambda: make_event("refund.created", refund),
        "charge.refunded": lambda: make_event(
            "charge.refunded", fake_stripe.charge_for(order.stripe_session_id)
        ),
        "charge.dispute.created": lambda: make_event("charge.dispute.created", dispute),
    }[first]()

    deliver(client, early)

    order.refresh_from_db()
    assert order.status == Status.PARTIALLY_REFUNDED
    assert order.paid_at == stripe_time(paid)
    assert order.amount_refunded_cents == 1000
    assert order.refunds.get().created == stripe_time(paid + 600)
    # One confirmation, and one refund receipt for the refund (issue 20).
    assert [m.subject for m in mail.outbox if "is confirmed" in m.subject] == [
        f"Your CPMA order {order.reference} is confirmed"
    ]
    assert len([m for m in mail.outbox if m.subject.startswith("Refund of")]) == 1

    deliver(client, completed, make_event("refund.created", refund))

    order.refresh_from_db()
    assert order.status == Status.PARTIALLY_REFUNDED
    assert order.paid_at == stripe_time(paid)
    assert order.refunds.count() == 1
    assert len(mail.outbox) == 2
    assert order.emails.get(purpose="order-confirmation").sent_at is not None


def test_sync_order_run_twice_changes_nothing_the_second_time(client, fake_stripe, order):
    deliver(client, completed_event(fake_stripe, order))
    fake_stripe.refund(order.stripe_session_id, amount=300)
    stripe_sync.sync_order(order.pk, source="test")
    history = order.history.count()

    stripe_sync.sync_order(order.pk, source="test")

    assert order.history.count() == history
    assert order.refunds.count() == 1


@pytest.mark.parametrize("amount", [1000, None], ids=["partial", "full"])
def test_refund_that_fails_after_pending_leaves_the_order_paid_whenever_its_events_are_handled(
    client, fake_stripe, order, amount
):
    deliver(client, completed_event(fake_stripe, order))
    refund = fake_stripe.refund(order.stripe_session_id, amount=amount, status="pending")
    deliver(client, make_event("refund.created", refund))  # handled while Stripe still shows it pending
    order.refresh_from_db()
    assert order.amount_refunded_cents > 0

    deliver(client, make_event("refund.updated", fake_stripe.update_refund(refund["id"], status="failed")))

    order.refresh_from_db()
    assert order.amount_refunded_cents == 0
    assert order.status == Status.PAID, "the same Stripe state handled in one go ends paid"
