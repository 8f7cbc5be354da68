#!/usr/bin/env python
"""Webhook and background-task throughput on PostgreSQL: 1,000 signed `checkout.session.completed` events
for distinct orders, the background tasks they cause, then the same 1,000 events redelivered. Prints
events/s and app CPU per event for the webhook requests, tasks/s and confirmations/s for the workers, and
checks that every order is paid and emailed once and that the redeliveries changed nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/checkout .venv/bin/python scripts/bench_webhooks.py
    DATABASE_URL=... .venv/bin/python scripts/bench_webhooks.py --quick    # a few seconds, for CI

It creates a throwaway database on the same server (`<name>_bench_<pid>`), migrates it, and drops it at
the end, whatever happens. It runs, in its own process, the fake Stripe API (tests/stripe_fake.py) and a
real SMTP server (aiosmtpd) that counts what it receives; every order is started through
`checkout.services.start_checkout` (a real Checkout Session in the fake) and paid in the fake.

1. First deliveries: the events are POSTed through Django's full middleware stack (django.test.Client)
   from `--workers` processes at once (default 4: a production server runs several workers and Stripe
   delivers concurrently; `--workers 1` sends them one after another). The request only records the event
   and enqueues `handle_stripe_event`: no order changes and no email goes out yet.
2. Tasks: `--task-workers` `manage.py db_worker --batch` processes (default 2) drain the queue against the
   same database: each event's task fetches the session from the fake and pays the order, which enqueues the
   follow-up tasks (the confirmation email, sent to the SMTP server; the fee lookup, from the fake; any others
   fulfilment adds). Prints tasks/s, confirmations/s, mean run time per task function and worker CPU.
3. Redeliveries: the same events again, from the same request processes; nothing may change.

LOG_LEVEL is WARNING (the `checkout` logger stays at INFO, as in production); the db_workers' output goes to
a temporary file, printed when a check fails. `--profile FILE` runs the first deliveries under cProfile and
prints where their time goes. Exits 1 when a check fails or the first-delivery rate is under `--floor`
(200 events/s by default).
"""

import argparse
import collections
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WEBHOOK_SECRET = "whsec_bench_only"  # noqa: S105 (signs the benchmark's own events, nothing else)
STRIPE_KEY = "sk_test_bench"  # the fake accepts any sk_test_ key; nothing goes to Stripe
WORKER_COMMAND = ["manage.py", "db_worker", "--batch", "--interval", "0", "--no-startup-delay"]


def throwaway_database(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("bench_webhooks.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    name = f"{parts.path.lstrip('/') or 'postgres'}_bench_{os.getpid()}"
    return name, urlunsplit(parts._replace(path=f"/{name}"))


def admin_execute(url: str, sql: str) -> None:
    """CREATE/DROP DATABASE through the server's `postgres` maintenance database (the database named in
    DATABASE_URL need not exist)."""
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(sql)


class CountingSmtpHandler:
    """aiosmtpd handler: accepts every message and keeps only its recipients, subject and arrival time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[tuple[tuple[str, ...], str, float]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email.parser import BytesHeaderParser

        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        with self.lock:
            self.received.append((tuple(envelope.rcpt_tos), str(headers.get("Subject", "")), time.time()))
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def snapshot(self) -> list[tuple[tuple[str, ...], str, float]]:
        with self.lock:
            return list(self.received)


def start_smtp_sink() -> tuple[Any, CountingSmtpHandler, int]:
    import socket

    from aiosmtpd.controller import Controller

    handler = CountingSmtpHandler()
    for _ in range(5):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=5)
        try:
            controller.start()
        except OSError:  # the port was taken between probing and binding: try another
            continue
        return controller, handler, port
    sys.exit("could not start the SMTP sink")


def deliver_chunk(bodies: list[bytes], profile: str = "") -> tuple[dict[bytes, int], float]:
    """In a request process: POST each signed body to the webhook; returns outcomes and the CPU seconds this
    process spent (the machine may be shared, so wall-clock rates alone can mislead). With `profile`, the
    deliveries run under cProfile and the stats go to `<profile>.<pid>`."""
    import cProfile

    from django.test import Client

    from tests.stripe_fake import sign_payload

    client = Client()
    outcomes: dict[bytes, int] = {}
    # CPU time, not wall time: waits on PostgreSQL would swamp it otherwise.
    profiler = cProfile.Profile(time.process_time) if profile else None
    cpu_started = time.process_time()
    if profiler is not None:
        profiler.enable()
    for body in bodies:
        response = client.post(
            "/stripe/webhook/",
            body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=sign_payload(body, WEBHOOK_SECRET),
            secure=True,  # Stripe delivers over https; production redirects plain http
        )
        key = response.content if response.status_code == 200 else f"HTTP {response.status_code}".encode()
        outcomes[key] = outcomes.get(key, 0) + 1
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(f"{profile}.{os.getpid()}")
    return outcomes, time.process_time() - cpu_started


def print_profile(profile: str) -> None:
    """Merge the request processes' cProfile stats into `profile` and print where first deliveries go."""
    import glob
    import pstats

    parts = sorted(glob.glob(f"{glob.escape(profile)}.*"))
    if not parts:
        return
    stats = pstats.Stats(*parts)
    stats.dump_stats(profile)
    for part in parts:
        os.unlink(part)
    print(
        "cProfile (CPU time) of the first deliveries in all request processes (the CPU figures above include "
        f"its overhead), saved to {profile}:"
    )
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


def setup_django(bench_url: str, stripe_url: str, smtp_port: int) -> None:
    """Settings for this process, its request processes and the db_worker processes (same environment)."""
    os.environ.update(
        DATABASE_URL=bench_url,
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key",  # noqa: S106 (throwaway database, never served)
        ALLOWED_HOSTS="testserver",
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        LOG_LEVEL="WARNING",
        STRIPE_SECRET_KEY=STRIPE_KEY,
        STRIPE_API_BASE=stripe_url,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    import django

    django.setup()


def completed_events(count: int, fake: Any) -> tuple[list[bytes], dict[str, str]]:
    """`count` orders started through the app (a Checkout Session each in the fake) and paid in the fake;
    returns the body of each one's completed event and each order's buyer email by reference."""
    from catalog.models import Product
    from checkout.services import start_checkout
    from tests.stripe_fake import make_event

    product = Product.objects.create(
        name="Bench product",
        slug="bench-product",
        kind=Product.Kind.KIT,
        tagline="Made by the benchmark.",
        description="Made by the benchmark.",
        audience="Benchmarks.",
        price_cents=4321,
    )
    bodies = []
    emails = {}
    for n in range(count):
        order = start_checkout(product=product, quantity=1 + n % 5).order
        emails[order.reference] = f"{order.reference.lower()}@example.com"
        session = fake.complete_session(
            order.stripe_session_id, email=emails[order.reference], name="Bench Buyer"
        )
        public = {key: value for key, value in session.items() if not key.startswith("_")}
        bodies.append(json.dumps(make_event("checkout.session.completed", public)).encode())
    return bodies, emails


def state() -> dict[str, Any]:
    """Everything a delivery or a task could change, to compare before and after."""
    from django_tasks_db.models import DBTaskResult

    from checkout.models import EmailDelivery, Order, OrderEvent
    from payments.models import Payment, StripeEvent

    fields = ("status", "paid_at", "confirmation_sent_at", "updated_at", "email", "total_cents")
    return {
        "orders": list(Order.objects.order_by("pk").values_list(*fields)),
        "events": StripeEvent.objects.count(),
        "tasks": DBTaskResult.objects.count(),
        "payments": list(Payment.objects.order_by("pk").values_list("status", "fee_cents", "updated_at")),
        "history": OrderEvent.objects.count(),
        "emails": list(EmailDelivery.objects.order_by("pk").values_list("sent_at", "attempts")),
    }


def run_task_workers(n: int, timeout: float) -> tuple[float, float, list[int], str]:
    """Start `n` db_worker processes and wait until all have drained the queue and exited.

    Returns wall seconds (start to last exit), their CPU seconds (user + system), exit codes and the tail
    of their output."""
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as log:
        workers = [
            subprocess.Popen(  # noqa: S603 (our own interpreter and manage.py)
                [sys.executable, *WORKER_COMMAND],
                cwd=ROOT,
                env=dict(os.environ),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            for _ in range(n)
        ]
        codes = []
        try:
            for worker in workers:
                remaining = max(0.1, timeout - (time.perf_counter() - started))
                codes.append(worker.wait(timeout=remaining))
        except subprocess.TimeoutExpired:
            for worker in workers:
                if worker.poll() is None:
                    worker.terminate()
            codes = [worker.wait() for worker in workers]
            codes.append(-999)  # marks the timeout for the caller
        seconds = time.perf_counter() - started
        log.seek(0)
        tail = "".join(log.readlines()[-20:])
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (usage.ru_utime - usage_before.ru_utime) + (usage.ru_stime - usage_before.ru_stime)
    return seconds, cpu, codes, tail


def task_figures() -> dict[str, Any]:
    """Per task function: how many ran in each status, their mean run time, and the run window."""
    from django.db.models import Max, Min
    from django_tasks_db.models import DBTaskResult

    rows = collections.Counter(DBTaskResult.objects.values_list("task_path", "status"))
    durations: dict[str, list[float]] = collections.defaultdict(list)
    for path, started, finished in DBTaskResult.objects.filter(finished_at__isnull=False).values_list(
        "task_path", "started_at", "finished_at"
    ):
        if started is not None:
            durations[path.rsplit(".", 1)[-1]].append((finished - started).total_seconds())
    window = DBTaskResult.objects.aggregate(first=Min("started_at"), last=Max("finished_at"))
    span = (
        (window["last"] - window["first"]).total_seconds()
        if window["first"] and window["last"]
        else float("nan")
    )
    return {"rows": rows, "durations": durations, "span": span, "first": window["first"]}


def run(
    bench_url: str, count: int, floor: float, workers: int, task_workers: int, timeout: float, profile: str
) -> int:
    from tests.stripe_fake import FakeStripe

    smtp, sink, smtp_port = start_smtp_sink()
    fake = FakeStripe().start()
    pool = None
    try:
        setup_django(bench_url, fake.url, smtp_port)
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        bodies, emails = completed_events(count, fake)
        stripe_requests_setup = len(fake.requests)
        chunks = [bodies[i::workers] for i in range(workers)]
        initial = state()
        connections.close_all()  # each request process opens its own connection
        pool = multiprocessing.get_context("fork").Pool(workers)

        def deliver_all(profile: str = "") -> tuple[float, dict[bytes, int], float]:
            started = time.perf_counter()
            results = pool.starmap(deliver_chunk, [(chunk, profile) for chunk in chunks])
            seconds = time.perf_counter() - started
            outcomes: dict[bytes, int] = {}
            for chunk_outcomes, _ in results:
                for key, n in chunk_outcomes.items():
                    outcomes[key] = outcomes.get(key, 0) + n
            return seconds, outcomes, sum(r[1] for r in results)

        # 1. First deliveries: record and enqueue only.
        first_seconds, first_outcomes, first_cpu = deliver_all(profile)
        after_first = state()
        stripe_calls_in_requests = len(fake.requests) - stripe_requests_setup
        emails_in_requests = sink.count()
        connections.close_all()

        # 2. The background tasks, in db_worker processes.
        tasks_report: list[str] = []
        task_checks: dict[str, bool] = {}
        worker_log = ""
        after_tasks = after_first
        if task_workers > 0:
            bench_cpu_started = time.process_time()  # this process serves the fake Stripe and the SMTP sink
            task_seconds, task_cpu, codes, worker_log = run_task_workers(task_workers, timeout)
            bench_cpu = time.process_time() - bench_cpu_started
            stripe_calls_in_tasks = len(fake.requests) - stripe_requests_setup - stripe_calls_in_requests
            after_tasks = state()
            tasks_report, task_checks = task_results(
                count,
                emails,
                sink.snapshot(),
                task_seconds,
                task_cpu,
                bench_cpu,
                stripe_calls_in_tasks,
                codes,
            )
        connections.close_all()

        # 3. Redeliveries, once everything is done: acknowledged, and nothing changes.
        emails_before_again = sink.count()
        again_seconds, again_outcomes, again_cpu = deliver_all()
        after_again = state()
        emails_after_again = sink.count()
    finally:
        if pool is not None:
            pool.close()
            pool.join()
        fake.stop()
        smtp.stop()

    enqueued_by_requests = after_first["tasks"] - initial["tasks"]
    first_rate = count / first_seconds
    again_rate = count / again_seconds
    print(
        f"PostgreSQL, {count} orders, {workers} request process(es), {task_workers} db_worker process(es), "
        f"os.cpu_count()={os.cpu_count()}"
    )
    print(f"first deliveries: {count} in {first_seconds:.2f} s = {first_rate:.0f} events/s {first_outcomes}")
    print(f"redeliveries:     {count} in {again_seconds:.2f} s = {again_rate:.0f} events/s {again_outcomes}")
    print(
        f"app CPU per event (request processes only, PostgreSQL not counted): {first_cpu / count * 1000:.1f} ms "
        f"first, {again_cpu / count * 1000:.1f} ms redelivered"
    )
    print(
        f"requests: {enqueued_by_requests} tasks enqueued, {stripe_calls_in_requests} Stripe calls, "
        f"{emails_in_requests} emails"
    )
    for line in tasks_report or ["tasks: skipped (--task-workers 0)"]:
        print(line)
    print(f"load average {os.getloadavg()[0]:.1f}")
    checks = {
        "first deliveries recorded, one task each, no order changed, no Stripe call, no email": (
            first_outcomes == {b"processed": count}
            and after_first["events"] == count
            and enqueued_by_requests == count
            and after_first["orders"] == initial["orders"]
            and stripe_calls_in_requests == 0
            and emails_in_requests == 0
        ),
        **task_checks,
        "redeliveries acknowledged as duplicates": again_outcomes == {b"duplicate": count},
        "redeliveries changed nothing (orders, events, tasks, payments, history, email)": (
            after_again == after_tasks and emails_after_again == emails_before_again
        ),
        f"first-delivery rate >= floor {floor:.0f} events/s": first_rate >= floor,
    }
    for label, ok in checks.items():
        print(f"  [{'ok' if ok else 'FAIL'}] {label}")
    if profile:
        print_profile(profile)
    if not all(task_checks.values()) and worker_log:
        print("db_worker output (last lines):\n" + worker_log)
    return 0 if all(checks.values()) else 1


def task_results(
    count: int,
    emails: dict[str, str],
    received: list[tuple[tuple[str, ...], str, float]],
    task_seconds: float,
    task_cpu: float,
    bench_cpu: float,
    stripe_calls: int,
    codes: list[int],
) -> tuple[list[str], dict[str, bool]]:
    """The task phase's figures (lines to print) and checks, read from the database and the SMTP sink."""
    from checkout.models import EmailDelivery, Order
    from payments.models import Payment

    tasks = task_figures()
    paid = Order.objects.filter(status=Order.Status.PAID, paid_at__isnull=False).count()
    confirmed = Order.objects.filter(confirmation_sent_at__isnull=False).count()
    deliveries_sent = EmailDelivery.objects.filter(sent_at__isnull=False).count()
    fees = Payment.objects.filter(fee_cents__isnull=False).count()
    ran = sum(n for (_, status), n in tasks["rows"].items() if status == "SUCCESSFUL")
    succeeded = collections.Counter(
        {path.rsplit(".", 1)[-1]: n for (path, status), n in tasks["rows"].items() if status == "SUCCESSFUL"}
    )
    not_done = {
        f"{path.rsplit('.', 1)[-1]} {status}": n
        for (path, status), n in tasks["rows"].items()
        if status != "SUCCESSFUL"
    }
    span = max(tasks["span"], 1e-6)
    first_email = min((t for _, _, t in received), default=float("nan"))
    last_email = max((t for _, _, t in received), default=float("nan"))
    task_start = tasks["first"].timestamp() if tasks["first"] else float("nan")
    recipients = collections.Counter(r for rcpts, _, _ in received for r in rcpts)
    # Each buyer's address is the order reference in lower case; the subject must carry the reference.
    subjects_ok = all(rcpts[0].split("@")[0].upper() in subject for rcpts, subject, _ in received)
    mean_ms = ", ".join(
        f"{name} {len(values)} x {sum(values) / len(values) * 1000:.1f} ms"
        for name, values in sorted(tasks["durations"].items())
    )
    arrivals = max(last_email - first_email, 1e-6)
    lines = [
        f"tasks: {ran} run in {span:.2f} s (first start to last finish) = {ran / span:.0f} tasks/s; "
        f"{task_seconds:.2f} s wall with process start-up = {ran / task_seconds:.0f} tasks/s",
        f"confirmations: {len(received)} at the SMTP sink = {len(received) / span:.1f}/s over the task window; "
        f"{len(received) / arrivals:.1f}/s from first to last arrival ({arrivals:.2f} s; the first came {first_email - task_start:.2f} s after the first "
        f"task started)",
        f"task run time (mean, started to finished): {mean_ms}",
        f"worker CPU: {task_cpu / max(ran, 1) * 1000:.1f} ms per task, {task_cpu / count * 1000:.1f} ms per "
        f"order (db_worker processes, incl. start-up); fake Stripe + SMTP sink {bench_cpu / count * 1000:.1f} ms "
        f"per order; {stripe_calls} Stripe calls from tasks",
        f"orders paid {paid}/{count}, confirmation recorded {confirmed}/{count}, email deliveries sent "
        f"{deliveries_sent}, fees recorded {fees}; tasks not successful: {not_done or 'none'}; "
        f"worker exit codes {codes}",
    ]
    expected = collections.Counter({address: 1 for address in emails.values()})
    checks = {
        "workers drained the queue (every task successful, one handling and one confirmation task per order)": (
            not not_done
            and set(codes) == {0}
            and succeeded["handle_stripe_event"] == count
            and succeeded["send_order_confirmation"] == count
        ),
        "every order paid": paid == count,
        "exactly one confirmation per order at the SMTP sink": (
            recipients == expected and len(received) == count and subjects_ok
        ),
        "confirmation recorded once per order": confirmed == count and deliveries_sent == count,
    }
    return lines, checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="20 events, 2 request processes, 1 db_worker, no rate floor: checks that it still runs (CI)",
    )
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--floor", type=float, default=200.0, help="minimum first-delivery events/s")
    parser.add_argument("--workers", type=int, default=4, help="processes delivering webhooks at once")
    parser.add_argument(
        "--task-workers",
        type=int,
        default=2,
        help="db_worker processes running the tasks (0: skip the tasks)",
    )
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds the db_workers may take")
    parser.add_argument(
        "--profile",
        default="",
        metavar="FILE",
        help="run the first deliveries under cProfile, print the top functions and save the stats to FILE",
    )
    args = parser.parse_args()
    if args.quick:
        args.events, args.workers, args.task_workers, args.floor = 20, 2, 1, 0.0

    source_url = os.environ.get("DATABASE_URL", "")
    db_name, bench_url = throwaway_database(source_url)
    admin_execute(source_url, f'CREATE DATABASE "{db_name}"')
    try:
        return run(
            bench_url, args.events, args.floor, args.workers, args.task_workers, args.timeout, args.profile
        )
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        admin_execute(source_url, f'DROP DATABASE IF EXISTS "{db_name}"')
        print(f"dropped throwaway database {db_name}")


if __name__ == "__main__":
    sys.exit(main())
