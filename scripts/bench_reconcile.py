"""How many Stripe calls one `reconcile_stripe` pass makes, sweep against events pass, as orders grow.

    .venv/bin/python scripts/bench_reconcile.py                       # 100, 1,000 and 10,000 orders
    .venv/bin/python scripts/bench_reconcile.py --orders 100 --quick  # a few seconds, for CI

Each size runs in a fresh child process with its own throwaway SQLite database and its own fake Stripe
(stripe_sandbox, in process, reached through the real stripe library over HTTP). The child starts N orders
through `checkout.services.start_checkout` (a real Checkout Session in the fake), spread over the last three
days; each is paid in the fake, which records its `checkout.session.completed` event. The shop receives every
event through `payments.webhooks.process_event` (what the webhook does) except those of the last ten minutes,
when the endpoint was down, and every order is converged on its paid session (as the events' tasks would). The previous passes are
recorded as a sweep an hour ago and an events pass 15 minutes ago, as the 15-minute timer leaves them.

Then it measures, counting the requests the fake receives:

- the sweep (`reconcile_stripe --sweep`, what every pass did before): calls, seconds, and the minutes the
  same calls take at Stripe's test-mode limit of 25 read requests per second;
- the events pass (`reconcile_stripe`): calls, seconds, events recorded, and the calls the handling tasks
  of those events then make (run here one after another).

It is a measurement, not a test: it exits 1 only if a pass fails or the events pass misses an event.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
TEST_MODE_READS_PER_SECOND = 25
TIMER_MINUTES = 15
# The webhook endpoint was down for the last ten minutes: every event of theirs was missed.
OUTAGE_SECONDS = 600


def configure_django(workdir: Path, api_base: str) -> None:
    os.environ.update(
        DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}",
        DEBUG="false",  # DEBUG would keep every query in memory
        SECRET_KEY="benchmark-only-not-a-secret",  # noqa: S106 (throwaway database, never served)
        ALLOWED_HOSTS="testserver,127.0.0.1",
        LOG_LEVEL="ERROR",
        STRIPE_SECRET_KEY="sk_test_bench",  # noqa: S106 (the fake accepts any sk_test_ key)
        STRIPE_PUBLISHABLE_KEY="pk_test_bench",
        STRIPE_WEBHOOK_SECRET="whsec_bench_only",  # noqa: S106
        STRIPE_API_BASE=api_base,
        STRIPE_TIMEOUT_SECONDS="30",
        COURSE_ENROLMENT_WEBHOOK_URL="",
        COURSE_ENROLMENT_WEBHOOK_SECRET="",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    import django

    django.setup()


def seed(fake, orders: int) -> list[dict]:
    """`orders` paid orders over the last three days; returns the events the webhook missed."""
    from django.core.management import call_command
    from django.db import transaction

    from catalog.models import Product
    from checkout.services import start_checkout
    from checkout.stripe_client import SESSION_EXPAND
    from payments import sessions as converge
    from payments.webhooks import process_event

    call_command("migrate", verbosity=0)
    call_command("load_catalog", verbosity=0)
    products = list(Product.objects.filter(is_active=True))
    rng = random.Random(orders)  # noqa: S311 (spreads test data, nothing secret)
    now = int(time.time())
    missed = []
    for n in range(orders):
        started = start_checkout(product=products[n % len(products)], quantity=1 + n % 3)
        session_id = started.order.stripe_session_id
        fake.complete_session(session_id, email=f"buyer{n}@example.com")
        created = now - rng.randrange(3 * 24 * 3600)
        with fake._lock:
            fake.sessions[session_id]["created"] = created
            session = fake._expanded(fake.sessions[session_id], SESSION_EXPAND)
        event = fake.emit("checkout.session.completed", session)
        with fake._lock:
            fake.events[-1]["created"] = event["created"] = created
        with transaction.atomic():
            if created >= now - OUTAGE_SECONDS:
                missed.append(event)
            else:
                process_event(event)
            converge.converge_session(session, source="bench")
    return missed


def measure(orders: int) -> dict:
    from stripe_sandbox.fake import FakeStripe

    fake = FakeStripe().start()
    with tempfile.TemporaryDirectory(prefix="bench_reconcile_") as tmp:
        configure_django(Path(tmp), fake.url)
        import datetime as dt
        import io

        from django.core.management import call_command
        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        from payments.models import ReconcileRun, StripeEvent

        began = time.perf_counter()
        missed = seed(fake, orders)
        seeded = time.perf_counter() - began
        DBTaskResult.objects.all().delete()  # the seeding's own follow-up work is not what is measured

        def one_pass(*args: str) -> tuple[int, float, int]:
            before, began = len(fake.requests), time.perf_counter()
            out = io.StringIO()
            call_command("reconcile_stripe", *args, stdout=out)
            return len(fake.requests) - before, time.perf_counter() - began, len(out.getvalue().splitlines())

        sweep_calls, sweep_seconds, _ = one_pass("--sweep")
        ReconcileRun.objects.all().delete()
        now = timezone.now()
        for mode, ago in (("sweep", dt.timedelta(hours=1)), ("events", dt.timedelta(minutes=TIMER_MINUTES))):
            ReconcileRun.objects.create(
                mode=mode, started_at=now - ago, listed_from=now - ago, finished_at=now - ago
            )
        DBTaskResult.objects.all().delete()
        events_calls, events_seconds, recorded = one_pass()
        in_window = [
            e
            for e in missed
            if e["created"] >= int((now - dt.timedelta(minutes=TIMER_MINUTES + 5)).timestamp())
        ]
        all_recorded = all(StripeEvent.objects.filter(event_id=e["id"]).exists() for e in in_window)
        before = len(fake.requests)
        call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)
        task_calls = len(fake.requests) - before
    fake.stop()
    return {
        "orders": orders,
        "seed_seconds": round(seeded, 1),
        "sweep_calls": sweep_calls,
        "sweep_seconds": round(sweep_seconds, 2),
        "events_calls": events_calls,
        "events_seconds": round(events_seconds, 2),
        "events_recorded": recorded,
        "missed_in_window": len(in_window),
        "all_recorded": all_recorded,
        "task_calls": task_calls,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, nargs="+", default=[100, 1_000, 10_000])
    parser.add_argument("--quick", action="store_true", help="100 orders only")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(measure(args.child)))
        return 0
    sizes = [100] if args.quick else args.orders
    print(
        f"{'orders':>7} {'sweep calls':>12} {'sweep s':>8} {'at 25/s':>9} "
        f"{'events calls':>13} {'events s':>9} {'recorded':>9} {'task calls':>11}"
    )
    failed = False
    for size in sizes:
        child = subprocess.run(  # noqa: S603 (this script, with a number)
            [sys.executable, __file__, "--child", str(size)], capture_output=True, text=True, cwd=PROJECT
        )
        if child.returncode != 0:
            print(f"{size:>7} failed:\n{child.stderr[-3000:]}")
            failed = True
            continue
        r = json.loads(child.stdout.strip().splitlines()[-1])
        at_limit = r["sweep_calls"] / TEST_MODE_READS_PER_SECOND / 60
        print(
            f"{r['orders']:>7,} {r['sweep_calls']:>12,} {r['sweep_seconds']:>8.1f} {at_limit:>7.1f} m "
            f"{r['events_calls']:>13,} {r['events_seconds']:>9.2f} {r['events_recorded']:>9,} {r['task_calls']:>11,}"
        )
        if not r["all_recorded"]:
            print(f"        the events pass missed {r['missed_in_window']} events of its window")
            failed = True
    print(
        f"(at 25/s: the sweep's calls at Stripe's test-mode read limit; the timer runs every {TIMER_MINUTES} min."
        " recorded: events the webhook missed in the pass's window; task calls: what their handling then costs)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
