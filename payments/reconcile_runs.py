"""Which pass `reconcile_stripe` makes, and the cheap one: Stripe's events since the last finished pass.

A sweep (payments.reconcile) reads every session, refund, dispute and payout of a window and syncs every order
they touch, so its cost grows with orders. The events pass reads Stripe's event list from just before the
last finished pass began and records each event the webhook never delivered exactly as the webhook would
(payments.webhooks.process_event; the handling task fetches current state and converges). An event already
recorded costs nothing, so the pass's cost grows with events. A sweep still runs when none finished in the
last day, or when asked: Stripe keeps events for 30 days only, and a lost event is not the only way to drift
(a session whose id was never stored, an order pending here that Stripe let expire quietly).
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from checkout import payers, stripe_gateway
from payments import reconcile, webhooks
from payments.events import HANDLERS
from payments.models import ReconcileRun, StripeEvent

SWEEP, EVENTS = ReconcileRun.Mode.SWEEP, ReconcileRun.Mode.EVENTS
SWEEP_EVERY = dt.timedelta(days=1)
# An event can reach Stripe's list a little after its `created` second: each pass reads back this far.
OVERLAP = dt.timedelta(minutes=5)
# How far back a sweep reaches at most, whatever the gap since the last pass.
LONGEST_WINDOW = dt.timedelta(days=30)


def choose(
    now: dt.datetime, *, sweep: bool = False, since: dt.datetime | None = None
) -> tuple[str, dt.datetime]:
    """The pass to make now and the start of the window it reads."""
    if since is not None:
        return SWEEP, since
    finished = ReconcileRun.objects.filter(finished_at__isnull=False)
    last_start = finished.values_list("started_at", flat=True).first()
    last_sweep = finished.filter(mode=SWEEP).values_list("started_at", flat=True).first()
    if sweep or last_sweep is None or last_sweep < now - SWEEP_EVERY:
        start = reconcile.default_start()
        if last_start is not None:
            # Down for longer than the default window: reach back to the last pass, within reason.
            start = min(start, max(last_start - OVERLAP, now - LONGEST_WINDOW))
        return SWEEP, start
    return EVENTS, last_start - OVERLAP


def run(*, sweep: bool = False, since: dt.datetime | None = None) -> Iterator[str]:
    """Make one pass, recorded; yields one line per change. A pass that fails stays unfinished, so the next
    one reads from where the last finished pass began."""
    now = timezone.now()
    mode, start = choose(now, sweep=sweep, since=since)
    record = ReconcileRun.objects.create(mode=mode, started_at=now, listed_from=start)
    changes = 0
    for line in reconcile.reconcile(start) if mode == SWEEP else read_events(start):
        changes += 1
        yield line
    ReconcileRun.objects.filter(pk=record.pk).update(finished_at=timezone.now(), changes=changes)


def read_events(start: dt.datetime) -> Iterator[str]:
    """Record the events since `start` that the webhook never delivered, then what every pass does: open
    payment requests, and work that is stuck."""
    page: list[dict[str, Any]] = []
    for event in stripe_gateway.events_since(int(start.timestamp())):
        page.append(event)
        if len(page) == stripe_gateway.PAGE_SIZE:
            yield from _record_missed(page)
            page = []
    yield from _record_missed(page)
    yield from payers.reconcile()
    yield from reconcile.requeue_stuck_work(since=start)


def _record_missed(events: list[dict[str, Any]]) -> Iterator[str]:
    ours = [
        event
        for event in events
        if webhooks.looks_like_event(event) and event["type"] in HANDLERS and not event.get("livemode")
    ]
    known = set(
        StripeEvent.objects.filter(event_id__in=[event["id"] for event in ours]).values_list(
            "event_id", flat=True
        )
    )
    for event in ours:
        if event["id"] not in known and webhooks.process_event(event) == "processed":
            yield f"event {event['id']} ({event['type']}): never delivered by the webhook; recorded and queued"
