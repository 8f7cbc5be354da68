"""`reconcile_stripe` chooses its pass: a sweep when none finished in the last day (or when asked), else a
read of Stripe's events since just before the last finished pass, whose cost grows with events, not orders."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from checkout import stripe_gateway
from checkout.models import Order
from payments import reconcile_runs, tasks
from payments.models import ReconcileRun, StripeEvent
from tests.checkout.conftest import run_ready_tasks
from tests.checkout.test_reconcile import reconcile_lines
from tests.stripe_fake import make_event

SWEEP, EVENTS = ReconcileRun.Mode.SWEEP, ReconcileRun.Mode.EVENTS


@pytest.fixture(autouse=True)
def patient_stripe(fake_stripe, settings):
    settings.STRIPE_TIMEOUT_SECONDS = 10
    return fake_stripe


def finished_run(mode: str, ago: dt.timedelta) -> ReconcileRun:
    started = timezone.now() - ago
    return ReconcileRun.objects.create(
        mode=mode, started_at=started, listed_from=started - dt.timedelta(days=3), finished_at=started
    )


def paid_by_webhook(fake_stripe, buy, deliver_event, slug: str = "level-i") -> Order:
    """An order paid on Stripe whose `checkout.session.completed` the webhook delivered."""
    _, order = buy(slug)
    session = fake_stripe.complete_session(order.stripe_session_id)
    deliver_event(fake_stripe.emit("checkout.session.completed", session))
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    return order


def calls(fake_stripe, since: int) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake_stripe.requests[since:]]


# Which pass


@pytest.mark.django_db
def test_the_first_pass_ever_is_a_sweep_of_the_default_window():
    now = timezone.now()
    mode, start = reconcile_runs.choose(now)
    assert mode == SWEEP
    assert abs((now - start) - dt.timedelta(days=3)) < dt.timedelta(seconds=5)


@pytest.mark.django_db
def test_after_a_sweep_today_the_pass_reads_events_from_just_before_the_last_pass_began():
    finished_run(SWEEP, dt.timedelta(hours=5))
    last = finished_run(EVENTS, dt.timedelta(minutes=15))
    mode, start = reconcile_runs.choose(timezone.now())
    assert (mode, start) == (EVENTS, last.started_at - reconcile_runs.OVERLAP)


@pytest.mark.django_db
def test_a_sweep_older_than_a_day_makes_the_next_pass_a_sweep():
    finished_run(SWEEP, dt.timedelta(hours=25))
    finished_run(EVENTS, dt.timedelta(minutes=15))
    assert reconcile_runs.choose(timezone.now())[0] == SWEEP
    finished_run(SWEEP, dt.timedelta(hours=23))
    assert reconcile_runs.choose(timezone.now())[0] == EVENTS


@pytest.mark.django_db
def test_a_pass_that_never_finished_does_not_move_the_start():
    finished_run(SWEEP, dt.timedelta(hours=2))
    last = finished_run(EVENTS, dt.timedelta(minutes=30))
    ReconcileRun.objects.create(mode=EVENTS, started_at=timezone.now(), listed_from=timezone.now())
    assert reconcile_runs.choose(timezone.now()) == (EVENTS, last.started_at - reconcile_runs.OVERLAP)


@pytest.mark.django_db
def test_asked_for_or_given_a_date_the_pass_is_a_sweep():
    finished_run(SWEEP, dt.timedelta(hours=1))
    assert reconcile_runs.choose(timezone.now(), sweep=True)[0] == SWEEP
    day = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    assert reconcile_runs.choose(timezone.now(), since=day) == (SWEEP, day)


@pytest.mark.django_db
def test_after_a_long_gap_the_sweep_reaches_back_to_the_last_pass_but_not_past_thirty_days():
    last = finished_run(SWEEP, dt.timedelta(days=6))
    now = timezone.now()
    assert reconcile_runs.choose(now) == (SWEEP, last.started_at - reconcile_runs.OVERLAP)
    ReconcileRun.objects.all().delete()
    finished_run(SWEEP, dt.timedelta(days=90))
    mode, start = reconcile_runs.choose(now)
    assert mode == SWEEP and abs((now - start) - reconcile_runs.LONGEST_WINDOW) < dt.timedelta(seconds=5)


# The events pass


def test_an_event_the_webhook_never_delivered_is_recorded_and_its_task_pays_the_order(
    fake_stripe, catalog, buy
):
    reconcile_lines()  # today's sweep: nothing to do yet
    _, order = buy("bundle", 2)
    session = fake_stripe.complete_session(order.stripe_session_id)
    event = fake_stripe.emit("checkout.session.completed", session)  # the webhook never arrives

    lines = reconcile_lines()

    assert lines == [
        f"event {event['id']} (checkout.session.completed): never delivered by the webhook; recorded and queued"
    ]
    record = StripeEvent.objects.get(event_id=event["id"])
    assert DBTaskResult.objects.filter(
        task_path=tasks.handle_stripe_event.module_path, args_kwargs__args=[record.pk], status="READY"
    ).exists()
    run_ready_tasks()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert ReconcileRun.objects.values_list("mode", "changes")[0] == (EVENTS, 1)


def test_events_the_webhook_delivered_cost_nothing_and_queue_nothing(
    fake_stripe, catalog, buy, deliver_event
):
    reconcile_lines()
    paid_by_webhook(fake_stripe, buy, deliver_event)
    queued = DBTaskResult.objects.count()
    since = len(fake_stripe.requests)

    assert reconcile_lines() == []

    assert calls(fake_stripe, since) == ["GET /v1/events"]
    assert DBTaskResult.objects.count() == queued


def test_events_of_types_the_shop_ignores_or_from_live_mode_or_malformed_are_not_recorded(
    fake_stripe, catalog
):
    reconcile_lines()
    with fake_stripe._lock:
        fake_stripe.events.append(make_event("customer.created", {"id": "cus_test_1", "object": "customer"}))
        fake_stripe.events.append(make_event("checkout.session.completed", {"id": "cs_live"}, livemode=True))
        broken = make_event("checkout.session.completed", {"id": "cs_x"})
        broken["data"] = "not an object"
        fake_stripe.events.append(broken)

    assert reconcile_lines() == []
    assert not StripeEvent.objects.exists()


def test_every_page_of_events_is_read(fake_stripe, catalog, buy, monkeypatch):
    monkeypatch.setattr(stripe_gateway, "PAGE_SIZE", 2)
    reconcile_lines()
    emitted = []
    for _ in range(5):
        _, order = buy("level-i")
        emitted.append(
            fake_stripe.emit(
                "checkout.session.completed", fake_stripe.complete_session(order.stripe_session_id)
            )
        )

    lines = reconcile_lines()

    assert sorted(line.split(" ")[1] for line in lines) == sorted(e["id"] for e in emitted)
    assert set(StripeEvent.objects.values_list("event_id", flat=True)) == {e["id"] for e in emitted}


def test_events_from_before_the_last_pass_began_are_not_read_again(fake_stripe, catalog, buy):
    _, order = buy("level-i")
    old = fake_stripe.emit(
        "checkout.session.completed", fake_stripe.complete_session(order.stripe_session_id)
    )
    with fake_stripe._lock:
        fake_stripe.events[-1]["created"] -= 3600  # an hour before the sweep below began
    reconcile_lines()  # the sweep pays the order from the session itself
    since = len(fake_stripe.requests)

    assert reconcile_lines() == []

    assert not StripeEvent.objects.filter(event_id=old["id"]).exists()
    listing = [r for r in fake_stripe.requests[since:] if r.path == "/v1/events"]
    assert len(listing) == 1 and "created" in listing[0].query


def test_a_pass_that_fails_is_left_unfinished_and_the_next_one_reads_from_the_last_finished(
    fake_stripe, catalog, buy
):
    reconcile_lines()
    first = ReconcileRun.objects.get()
    _, order = buy("level-i")
    event = fake_stripe.emit(
        "checkout.session.completed", fake_stripe.complete_session(order.stripe_session_id)
    )
    fake_stripe.fail_next("card_error")

    with pytest.raises(CommandError, match="Stripe answered with an error"):
        reconcile_lines()

    failed = ReconcileRun.objects.order_by("-pk").first()
    assert failed.finished_at is None and failed.mode == EVENTS
    assert reconcile_runs.choose(timezone.now()) == (EVENTS, first.started_at - reconcile_runs.OVERLAP)
    assert len(reconcile_lines()) == 1
    assert StripeEvent.objects.filter(event_id=event["id"]).exists()


def test_the_events_pass_costs_the_same_whatever_the_number_of_orders_while_the_sweep_grows(
    fake_stripe, catalog, buy, deliver_event
):
    """The scaling claim in numbers of calls (scripts/bench_reconcile.py measures it at 10,000 orders)."""
    for _ in range(6):
        paid_by_webhook(fake_stripe, buy, deliver_event)
    since = len(fake_stripe.requests)
    reconcile_lines()
    sweep_calls = len(calls(fake_stripe, since))
    since = len(fake_stripe.requests)
    reconcile_lines()
    events_calls = len(calls(fake_stripe, since))

    assert sweep_calls >= 6 * 2, "a sweep fetches every order's session and its refunds"
    assert events_calls == 1


def test_the_sandbox_lists_events_by_type_and_date_and_answers_one_by_id(fake_stripe, catalog, settings):
    import stripe

    client = stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses={"api": fake_stripe.url})
    a = fake_stripe.emit("refund.created", {"id": "re_1", "object": "refund"})
    b = fake_stripe.emit("charge.refunded", {"id": "ch_1", "object": "charge"})
    with fake_stripe._lock:
        fake_stripe.events[0]["created"] -= 100

    def ids(**params):
        return [e.id for e in client.v1.events.list(params=params).data]

    assert ids() == [b["id"], a["id"]]
    assert ids(type="charge.*") == [b["id"]]
    assert ids(types=["refund.created"]) == [a["id"]]
    assert ids(created={"gt": b["created"] - 50}) == [b["id"]]
    assert json.loads(str(client.v1.events.retrieve(a["id"])))["type"] == "refund.created"
    with pytest.raises(stripe.InvalidRequestError, match="either type or types"):
        client.v1.events.list(params={"type": "charge.*", "types": ["refund.created"]})
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.events.retrieve("evt_unknown")
