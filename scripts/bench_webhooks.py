#!/usr/bin/env python
"""Webhook throughput on PostgreSQL: 1,000 signed `checkout.session.completed` events for distinct orders,
then the same 1,000 redelivered. Prints events/s for both passes and checks the redeliveries changed nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/checkout .venv/bin/python scripts/bench_webhooks.py

It creates a throwaway database on the same server (`<name>_bench_<pid>`), migrates it, and drops it at
the end, whatever happens. Requests go through Django's full middleware stack (django.test.Client) from
`--workers` processes at once (default 4: a production server runs several workers and Stripe delivers
concurrently; `--workers 1` sends them one after another), with email on the in-memory backend and the
`checkout` log at WARNING. Exits 1 when a check fails or the first-delivery rate is under `--floor`
(200 events/s by default).
"""

import argparse
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WEBHOOK_SECRET = "whsec_bench_only"  # noqa: S105 (signs the benchmark's own events, nothing else)


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


def deliver_chunk(bodies: list[bytes]) -> tuple[dict[bytes, int], int, float]:
    """In a worker process: POST each signed body to the webhook; returns outcomes, emails sent and the
    CPU seconds this process spent (the machine may be shared, so wall-clock rates alone can mislead)."""
    from django.core import mail
    from django.test import Client

    from tests.stripe_fake import sign_payload

    mail.outbox = []
    client = Client()
    outcomes: dict[bytes, int] = {}
    cpu_started = time.process_time()
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
    return outcomes, len(mail.outbox), time.process_time() - cpu_started


def setup_django(bench_url: str) -> None:
    os.environ.update(
        DATABASE_URL=bench_url,
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key",  # noqa: S106 (throwaway database, never served)
        ALLOWED_HOSTS="testserver",
        EMAIL_URL="memorymail://",
        LOG_LEVEL="WARNING",
        STRIPE_SECRET_KEY="sk_test_bench",  # noqa: S106 (never sent anywhere)
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    import django

    django.setup()


def completed_events(count: int) -> list[bytes]:
    """`count` pending orders with sessions, and the signed-to-be body of each one's completed event."""
    from catalog.models import Product
    from checkout.models import Order
    from checkout.services import create_pending_order
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
    orders = []
    for n in range(count):
        order = create_pending_order(product=product, quantity=1 + n % 5)
        order.stripe_session_id = f"cs_test_bench_{n:06d}"
        orders.append(order)
    Order.objects.bulk_update(orders, ["stripe_session_id"])
    bodies = []
    for order in orders:
        session = {
            "id": order.stripe_session_id,
            "object": "checkout.session",
            "mode": "payment",
            "status": "complete",
            "payment_status": "paid",
            "client_reference_id": order.reference,
            "metadata": {"order_reference": order.reference},
            "amount_subtotal": order.subtotal_cents,
            "amount_total": order.subtotal_cents,
            "currency": order.currency.lower(),
            "customer_details": {"email": f"{order.reference.lower()}@example.com", "name": "Bench Buyer"},
            "payment_intent": f"pi_test_bench_{order.pk}",
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "livemode": False,
        }
        bodies.append(json.dumps(make_event("checkout.session.completed", session)).encode())
    return bodies


def run(bench_url: str, count: int, floor: float, workers: int) -> int:
    setup_django(bench_url)
    from django.core.management import call_command
    from django.db import connections

    from checkout.models import Order, StripeEvent

    call_command("migrate", verbosity=0)
    bodies = completed_events(count)
    chunks = [bodies[i::workers] for i in range(workers)]
    connections.close_all()  # each worker process opens its own connection
    pool = multiprocessing.get_context("fork").Pool(workers)

    def deliver_all() -> tuple[float, dict[bytes, int], int, float]:
        started = time.perf_counter()
        results = pool.map(deliver_chunk, chunks)
        seconds = time.perf_counter() - started
        outcomes: dict[bytes, int] = {}
        for chunk_outcomes, _, _ in results:
            for key, n in chunk_outcomes.items():
                outcomes[key] = outcomes.get(key, 0) + n
        return seconds, outcomes, sum(r[1] for r in results), sum(r[2] for r in results)

    def state() -> list[tuple]:
        fields = ("status", "paid_at", "confirmation_sent_at", "updated_at", "email", "total_cents")
        return list(Order.objects.order_by("pk").values_list(*fields))

    try:
        first_seconds, first_outcomes, first_emails, first_cpu = deliver_all()
        paid = Order.objects.filter(status=Order.Status.PAID).count()
        before = state()
        events_before = StripeEvent.objects.count()
        connections.close_all()
        again_seconds, again_outcomes, again_emails, again_cpu = deliver_all()
    finally:
        pool.close()
        pool.join()
    unchanged = state() == before and StripeEvent.objects.count() == events_before

    first_rate = count / first_seconds
    again_rate = count / again_seconds
    print(f"PostgreSQL, {count} orders, {workers} worker process(es), os.cpu_count()={os.cpu_count()}")
    print(f"first deliveries: {count} in {first_seconds:.2f} s = {first_rate:.0f} events/s {first_outcomes}")
    print(f"redeliveries:     {count} in {again_seconds:.2f} s = {again_rate:.0f} events/s {again_outcomes}")
    print(
        f"app CPU per event (workers only, PostgreSQL not counted): {first_cpu / count * 1000:.1f} ms first, "
        f"{again_cpu / count * 1000:.1f} ms redelivered; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"orders paid {paid}/{count}; emails {first_emails} on first delivery, {again_emails} on redelivery"
    )
    checks = {
        "every order paid once": paid == count and first_outcomes == {b"processed": count},
        "one confirmation email per order": first_emails == count,
        "redeliveries acknowledged as duplicates": again_outcomes == {b"duplicate": count},
        "redeliveries changed nothing (orders, events, no email)": unchanged and again_emails == 0,
        f"first-delivery rate >= floor {floor:.0f} events/s": first_rate >= floor,
    }
    for label, ok in checks.items():
        print(f"  [{'ok' if ok else 'FAIL'}] {label}")
    return 0 if all(checks.values()) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--floor", type=float, default=200.0, help="minimum first-delivery events/s")
    parser.add_argument("--workers", type=int, default=4, help="processes delivering at once")
    args = parser.parse_args()

    source_url = os.environ.get("DATABASE_URL", "")
    db_name, bench_url = throwaway_database(source_url)
    admin_execute(source_url, f'CREATE DATABASE "{db_name}"')
    try:
        return run(bench_url, args.events, args.floor, args.workers)
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        admin_execute(source_url, f'DROP DATABASE IF EXISTS "{db_name}"')
        print(f"dropped throwaway database {db_name}")


if __name__ == "__main__":
    sys.exit(main())
