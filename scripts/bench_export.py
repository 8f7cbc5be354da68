"""Benchmark the order export on PostgreSQL against PostgreSQL's own COPY of the same query: rows per
second and their share of COPY's, peak memory growth, SQL queries.

    .venv/bin/python scripts/bench_export.py                      # 20,000 then 200,000 orders
    .venv/bin/python scripts/bench_export.py --orders 200000 --keep
    .venv/bin/python scripts/bench_export.py --quick              # a few seconds, for CI: does it still run?

It creates its own database (default `finance_bench`; the name must end in `_bench`), migrates it,
bulk-creates orders with one or two lines each, then exports them through the same code the admin's
download uses (`finance.views.orders_csv`, a StreamingHttpResponse over `finance.export.csv_stream`)
into /dev/null. The pace it is held to is `COPY (<the export's query>) TO STDOUT WITH (FORMAT csv)`: same
rows, columns, joins and order, cells as stored, read through psycopg into /dev/null. COPY and the export
alternate --rounds times (the fastest of each counts). Each runs in a fresh child process so that its peak
memory is its own and not that of the data generation. The database is dropped at the end unless --keep
is given (which also reuses it when it exists).

Floors from the issue: the order export at least 0.25 of COPY's rows/s at the largest size, at least
20,000 rows/s, peak memory growth under 100 MB whatever the row count,
and the same number of queries at every size. The script prints the figures and whether they are met;
it is a measurement, not a test.
"""

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/finance_bench"
BATCH = 5000
MIN_ROWS_PER_SECOND = 20_000
MAX_GROWTH_MB = 100
MIN_COPY_RATIO = 0.25


def configure_django(database_url: str) -> None:
    sys.path.insert(0, str(PROJECT))
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"  # DEBUG would keep every query in memory
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()


def database_name(database_url: str) -> str:
    name = urlsplit(database_url).path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+_bench", name):
        sys.exit(f"refusing to use database {name!r}: the benchmark database's name must end in _bench")
    return name


def maintenance(database_url: str, sql: str) -> None:
    """Run CREATE/DROP DATABASE from the server's `postgres` database."""
    import psycopg

    parts = urlsplit(database_url)
    url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql)


def database_exists(database_url: str, name: str) -> bool:
    import psycopg

    url = urlunsplit(urlsplit(database_url)._replace(path="/postgres"))
    with psycopg.connect(url, autocommit=True) as connection:
        return bool(connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def fill(target: int) -> tuple[int, float]:
    """Add orders until there are `target`; return how many were added and how long it took."""
    from catalog.models import Product
    from checkout.models import Order, OrderLine
    from payments.models import Payment, Refund

    products = list(Product.objects.filter(slug__startswith="bench-").order_by("slug"))
    if not products:
        products = Product.objects.bulk_create(
            Product(
                name=name,
                slug=slug,
                kind=Product.Kind.COURSE,
                tagline="Benchmark product.",
                description="Benchmark product.",
                audience="Benchmarks.",
                price_cents=price,
            )
            for name, slug, price in [
                ("Bench course", "bench-course", 12345),
                ("Bench kit", "bench-kit", 4321),
                ("Bench bundle", "bench-bundle", 23456),
            ]
        )
    start, began = Order.objects.count(), time.perf_counter()
    epoch = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    names = ["Pat Lee", "Sam O'Neil", 'Dana "DJ" Cruz, Jr.', "Zoë Łukasiewicz", '=HYPERLINK("http://x","y")']
    for first in range(start, target, BATCH):
        numbers = range(first, min(first + BATCH, target))
        plans = []
        orders = []
        for n in numbers:
            lines = [(products[n % 3], 1 + n % 4)]
            if n % 3 == 0:
                lines.append((products[(n + 1) % 3], 1))
            subtotal = sum(product.price_cents * quantity for product, quantity in lines)
            discount = 500 if n % 5 == 0 else 0
            tax = subtotal // 10 if n % 7 == 0 else 0
            total = subtotal - discount + tax
            refunded = total if n % 50 == 0 else (1000 if n % 23 == 0 else 0)
            status = "refunded" if n % 50 == 0 else ("partially_refunded" if n % 23 == 0 else "paid")
            plans.append(lines)
            orders.append(
                Order(
                    reference=f"CPMA-{n + 1:07d}",
                    status=status,
                    currency="USD",
                    email=f"buyer{n}@example.com",
                    buyer_name=names[n % len(names)],
                    subtotal_cents=subtotal,
                    discount_cents=discount,
                    tax_cents=tax,
                    total_cents=total,
                    amount_refunded_cents=refunded,
                    stripe_session_id=f"cs_test_bench_{n}",
                    stripe_payment_intent_id=f"pi_test_bench_{n}",
                    paid_at=epoch + dt.timedelta(seconds=n * 97),
                )
            )
        Order.objects.bulk_create(orders)
        OrderLine.objects.bulk_create(
            OrderLine.snapshot(order, product, quantity)
            for order, lines in zip(orders, plans, strict=True)
            for product, quantity in lines
        )
        # The money records checkout writes for such orders: a payment each (with Stripe's fee), a refund
        # where the order has one, so the transactions export has as many movements to write.
        Payment.objects.bulk_create(
            Payment(
                order=order,
                stripe_session_id=order.stripe_session_id,
                stripe_payment_intent_id=order.stripe_payment_intent_id,
                stripe_charge_id=f"ch_test_bench_{order.pk}",
                stripe_balance_transaction_id=f"txn_test_bench_{order.pk}",
                status=Payment.Status.SUCCEEDED,
                amount_cents=order.total_cents,
                currency="USD",
                paid_at=order.paid_at,
                fee_cents=order.total_cents * 29 // 1000 + 30,
                net_cents=order.total_cents - (order.total_cents * 29 // 1000 + 30),
            )
            for order in orders
        )
        Refund.objects.bulk_create(
            Refund(
                order=order,
                stripe_refund_id=f"re_test_bench_{order.pk}",
                amount_cents=order.amount_refunded_cents,
                currency="USD",
                status="succeeded",
                created=order.paid_at + dt.timedelta(days=3),
            )
            for order in orders
            if order.amount_refunded_cents
        )
    return target - start, time.perf_counter() - began


def memory_kb(field: str) -> int:
    """VmRSS (now) or VmHWM (peak) of this process, from /proc, in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def measure(kind: str) -> dict:
    """Child process: write one export to /dev/null through the web download's response object."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from checkout.models import OrderLine
    from finance import transactions
    from finance.export import ExportFilter
    from finance.views import csv_download, orders_csv
    from payments.models import Payment, Refund

    if kind == "orders":
        expected_rows = OrderLine.objects.count()
        filters = ExportFilter(since=dt.date(2025, 1, 1), until=dt.date(2030, 1, 1))

        def response():
            return orders_csv(filters)
    else:
        # A payment and its fee are two movements; each refund one more.
        expected_rows = 2 * Payment.objects.count() + Refund.objects.count()
        movements = transactions.TransactionFilter(since=dt.date(2025, 1, 1), until=dt.date(2030, 1, 1))

        def response():
            return csv_download(transactions.csv_stream(movements), "transactions.csv")

    connection.close()  # the timed run opens its own connection, as a request would
    baseline = memory_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current RSS
    written = line_ends = 0
    with CaptureQueriesContext(connection) as queries, open(os.devnull, "wb") as sink:
        began = time.perf_counter()
        for chunk in response():
            sink.write(chunk)
            written += len(chunk)
            line_ends += chunk.count(b"\r\n")
        elapsed = time.perf_counter() - began
    return {
        "rows": line_ends - 1,
        "expected_rows": expected_rows,
        "bytes": written,
        "seconds": elapsed,
        "baseline_kb": baseline,
        "peak_kb": memory_kb("VmHWM"),
        "queries": len(queries),
        "sql": [query["sql"][:80] for query in queries.captured_queries],
    }


def measure_copy() -> dict:
    """Child process: PostgreSQL's own COPY of the order export's query (same rows, columns, joins and
    order, cells as the database holds them, no formatting) into /dev/null: the pace the export is held to."""
    from django.db import connection

    from finance.columns import SOURCES
    from finance.export import ExportFilter, export_lines, with_joins

    filters = ExportFilter(since=dt.date(2025, 1, 1), until=dt.date(2030, 1, 1))
    query = with_joins(export_lines(filters)).values_list(*SOURCES)
    sql, params = query.query.sql_with_params()
    connection.ensure_connection()
    rows = written = 0
    with connection.connection.cursor() as cursor, open(os.devnull, "wb") as sink:
        began = time.perf_counter()
        with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            for data in copy:
                sink.write(data)
                written += len(data)
                rows += 1
        elapsed = time.perf_counter() - began
    return {"rows": rows, "bytes": written, "seconds": elapsed}


def run_child(database_url: str, kind: str) -> dict:
    result = subprocess.run(  # noqa: S603 - our own script, arguments we built
        [sys.executable, __file__, "--measure", kind, "--database-url", database_url],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the benchmark database afterwards (and reuse it if it exists)",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="COPY and order-export runs per size (fastest counts)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="1,000 orders, one round: checks that the benchmark still runs (CI); the figures mean little",
    )
    parser.add_argument("--measure", choices=["orders", "transactions", "copy"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.orders, args.rounds = [1000], 1
    name = database_name(args.database_url)

    if args.measure:
        configure_django(args.database_url)
        print(json.dumps(measure_copy() if args.measure == "copy" else measure(args.measure)))
        return

    if not (args.keep and database_exists(args.database_url, name)):
        maintenance(args.database_url, f'DROP DATABASE IF EXISTS "{name}"')
        maintenance(args.database_url, f'CREATE DATABASE "{name}"')
    try:
        configure_django(args.database_url)
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        print(f"database {name}: migrated")
        results = []
        for target in sorted(args.orders):
            added, seconds = fill(target)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum keeps them in production
            print(f"generated {added:,} orders in {seconds:.1f} s ({target:,} in all)")
            connection.close()
            # COPY and the order export alternate, `--rounds` times each, and the fastest of each counts:
            # on a shared machine the slowest runs measure the neighbours.
            copies, exports = [], []
            for _ in range(args.rounds):
                copies.append(run_child(args.database_url, "copy"))
                exports.append(run_child(args.database_url, "orders"))
            copy = min(copies, key=lambda figures: figures["seconds"])
            copy_rate = copy["rows"] / copy["seconds"]
            print(
                f"  COPY of the export's query: {copy['rows']:,} rows ({copy['bytes'] / 1e6:.1f} MB) in "
                f"{copy['seconds']:.2f} s = {copy_rate:,.0f} rows/s"
            )
            best_export = min(exports, key=lambda figures: figures["seconds"])
            for kind, figures in [
                ("orders", best_export),
                ("transactions", run_child(args.database_url, "transactions")),
            ]:
                figures["orders"], figures["kind"] = target, kind
                results.append(figures)
                growth_mb = (
                    max(r["peak_kb"] - r["baseline_kb"] for r in (exports if kind == "orders" else [figures]))
                    / 1024
                )
                rate = figures["rows"] / figures["seconds"]
                versus = f" = {rate / copy_rate:.2f} of COPY" if kind == "orders" else ""
                figures["ratio"] = rate / copy_rate
                print(
                    f"  {kind} export: {figures['rows']:,} rows ({figures['bytes'] / 1e6:.1f} MB of CSV) in "
                    f"{figures['seconds']:.2f} s = {rate:,.0f} rows/s{versus}; "
                    f"peak RSS growth {growth_mb:.1f} MB (from {figures['baseline_kb'] / 1024:.1f} MB); "
                    f"SQL queries: {figures['queries']}"
                )
                if figures["rows"] != figures["expected_rows"]:
                    print(f"  WARNING: expected {figures['expected_rows']:,} rows")
        print()
        print(
            f"floors: order export >= {MIN_COPY_RATIO} of COPY at the largest size, >= 20,000 rows/s, "
            "< 100 MB peak growth, same query count at every size"
        )
        largest = max(r["orders"] for r in results)
        ratio_ok = all(
            r["ratio"] >= MIN_COPY_RATIO for r in results if r["kind"] == "orders" and r["orders"] == largest
        )
        rates_ok = all(r["rows"] / r["seconds"] >= MIN_ROWS_PER_SECOND for r in results)
        memory_ok = all((r["peak_kb"] - r["baseline_kb"]) / 1024 < MAX_GROWTH_MB for r in results)
        queries_ok = all(
            len({r["queries"] for r in results if r["kind"] == kind}) == 1
            for kind in ("orders", "transactions")
        )
        print(
            f"ratio to COPY: {'met' if ratio_ok else 'MISSED'}; rows/s: {'met' if rates_ok else 'MISSED'}; "
            f"memory: {'met' if memory_ok else 'MISSED'}; ",
            end="",
        )
        print(f"queries: {'met' if queries_ok else 'MISSED'} ({[r['sql'] for r in results[:2]]})")
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            maintenance(args.database_url, f'DROP DATABASE IF EXISTS "{name}"')
            print(f"database {name}: dropped")


if __name__ == "__main__":
    main()
