"""Benchmark the seat manager: giving 50 Bundle seats from one pasted list (preview, then confirm).

    .venv/bin/python scripts/bench_seats.py            # 5 rounds of 50 people, then 10 vs 50 for query growth
    .venv/bin/python scripts/bench_seats.py --quick    # 1 round of 50 people

Times are medians: wall time of the request in process (what the buyer waits, including SQLite's disk
writes), and the process's CPU time (the server's own work, steady when other processes share the CPU).

Runs in a child process with a throwaway SQLite database in a temporary folder (nothing touches the
configured database). The child migrates, loads the catalogue, and for each round creates a paid order of
51 Bundle seats (the buyer holds the first) with its grants, signs the buyer in, then POSTs the pasted list
to the preview view and its confirmation to the assign view through Django's test client, in process. It
prints each request's time and query count (CaptureQueriesContext), and the queries per person, with the
course enrolment webhook off and on (on adds one delivery row and one task per grant). Emails and
enrolments are enqueued as task rows, never sent. The floor: the confirm answers in under 1 s with at most a
few queries per person. A measurement, not a test: nothing here asserts.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def configure_django(workdir: Path, enrolment: bool) -> None:
    sys.path.insert(0, str(PROJECT))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DEBUG"] = "false"  # DEBUG would keep every query in memory
    os.environ["SECRET_KEY"] = "benchmark-only-not-a-secret"  # noqa: S105 (throwaway database, never served)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["COURSE_ENROLMENT_WEBHOOK_URL"] = "https://courses.invalid/hook" if enrolment else ""
    os.environ["COURSE_ENROLMENT_WEBHOOK_SECRET"] = "bench-secret" if enrolment else ""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()


def make_order(seats: int):
    from access import grants
    from catalog.models import Product
    from checkout.models import Order, OrderLine
    from checkout.services import order_reference

    bundle = Product.objects.get(slug="bundle")
    order = Order.objects.create(
        email="lead@studio.example",
        buyer_name="Dana Okafor",
        status=Order.Status.PAID,
        currency="USD",
        subtotal_cents=bundle.price_cents * seats,
        total_cents=bundle.price_cents * seats,
    )
    order.reference = order_reference(order.pk)
    order.save(update_fields=["reference"])
    OrderLine.snapshot(order, bundle, seats).save()
    grants.grant_access_for_order(order.pk)
    return order


def child(rounds: int, people: int, enrolment: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench_seats_") as workdir:
        configure_django(Path(workdir), enrolment)
        import re

        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from access.models import Grant
        from access.sessions import SESSION_EMAIL

        settings.STATIC_ROOT = Path(workdir) / "static"  # the pages name hashed static files
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)
        call_command("load_catalog", verbosity=0)
        figures = {
            "preview_ms": [],
            "confirm_ms": [],
            "confirm_cpu_ms": [],
            "preview_queries": [],
            "confirm_queries": [],
        }
        for round_number in range(rounds + 1):  # the first round warms imports and caches and is not counted
            order = make_order(people + 1)
            client = Client()
            session = client.session
            session[SESSION_EMAIL] = order.email
            session.save()
            line = order.lines.get().pk
            # New people each round: last round's would hold the Bundle on another of this buyer's orders.
            text = "\n".join(f"Person {n} <p{round_number}-{n}@studio.example>" for n in range(people))
            base = f"/purchases/orders/{order.reference}/seats/"
            with CaptureQueriesContext(connection) as preview_queries:
                started = time.perf_counter()
                shown = client.post(base + "upload/", {"line": line, "people": text}, secure=True)
                preview_ms = (time.perf_counter() - started) * 1000
            assert shown.status_code == 200, shown.status_code
            found = re.search(r'name="digest" value="([0-9a-f]+)"', shown.content.decode())
            assert found, re.findall(r'class="form-error"[^>]*>([^<]*)', shown.content.decode())
            digest = found.group(1)
            with CaptureQueriesContext(connection) as confirm_queries:
                started, cpu_started = time.perf_counter(), time.process_time()
                done = client.post(
                    base + "assign/", {"line": line, "people": text, "digest": digest}, secure=True
                )
                confirm_ms = (time.perf_counter() - started) * 1000
                confirm_cpu_ms = (time.process_time() - cpu_started) * 1000
            assert done.status_code == 302, done.status_code
            assigned = Grant.objects.filter(order=order, state="active", seat__gt=1).values("seat").distinct()
            assert assigned.order_by().count() == people
            figures["preview_ms"].append(preview_ms)
            figures["confirm_ms"].append(confirm_ms)
            figures["confirm_cpu_ms"].append(confirm_cpu_ms)
            figures["preview_queries"].append(len(preview_queries))
            figures["confirm_queries"].append(len(confirm_queries))
        return {key: values[1:] for key, values in figures.items()}


def run(rounds: int, people: int, enrolment: bool) -> dict:
    result = subprocess.run(  # noqa: S603 (our own interpreter and this script)
        [
            sys.executable,
            __file__,
            "--child",
            "--rounds",
            str(rounds),
            "--people",
            str(people),
            *(["--enrolment"] if enrolment else []),
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )
    if result.returncode:
        sys.exit(f"the run failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="one round of 50 people, enrolment off and on")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--enrolment", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.rounds, args.people, args.enrolment)))
        return
    rounds = 1 if args.quick else args.rounds
    sizes = [args.people] if args.quick else sorted({10, args.people})
    print(
        f"{'people':>6} {'enrolment':>9} {'preview ms':>11} {'confirm ms':>11} {'confirm CPU ms':>15} "
        f"{'preview q':>10} {'confirm q':>10}"
    )
    for enrolment in (False, True):
        for people in sizes:
            figures = run(rounds, people, enrolment)
            print(
                f"{people:>6} {'on' if enrolment else 'off':>9} "
                f"{statistics.median(figures['preview_ms']):>11.0f} {statistics.median(figures['confirm_ms']):>11.0f} "
                f"{statistics.median(figures['confirm_cpu_ms']):>15.0f} "
                f"{max(figures['preview_queries']):>10} {max(figures['confirm_queries']):>10}"
                f"   ({max(figures['confirm_queries']) / people:.1f} queries per person at confirm;"
                f" slowest confirm {max(figures['confirm_ms']):.0f} ms)"
            )


if __name__ == "__main__":
    main()
