"""`make run` on SQLite, raced: the buyer's browser reloads the success page while a separate worker process
fulfils the same order, round after round, on a real database file (not :memory:).

    python -m tests.sqlite_race harness --db /tmp/race.sqlite3 --rounds 20 [--plain]

The harness migrates the file, starts the fake Stripe and a worker process (`db_worker`, as `make run`
does), and for each round: starts a checkout from a browser (its own cookie), pays on the fake, delivers
the webhook (the worker picks the task up at once) and reloads the success page until the order is paid,
granted and confirmed. It prints one JSON line: rounds, success page loads, and every problem (a non-200
page, an exception such as "database is locked", a failed task, a lock error in the worker's output);
exit status 1 when there is any. `--plain` drops the SQLite OPTIONS config/settings.py sets, to show what
they prevent. tests/config/test_sqlite_race.py runs it.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEBHOOK_SECRET = "whsec_sqlite_race"


def _environment(db: str, stripe_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "STRIPE_", "SECURE_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "true",
            "DATABASE_URL": f"sqlite:///{db}",
            "STRIPE_SECRET_KEY": "sk_test_sqlite_race",
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": stripe_url,
            "STRIPE_MAX_NETWORK_RETRIES": "0",
            "EMAIL_URL": "consolemail://",
            "PUBLIC_CACHE_ENABLED": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def _setup(plain: bool) -> None:
    import django

    django.setup()
    if plain:
        from django.db import connections

        connections["default"].close()
        connections["default"].settings_dict["OPTIONS"] = {}


def worker(plain: bool) -> None:
    _setup(plain)
    from django.core.management import call_command

    call_command("db_worker", "--interval", "0.05", "--no-reload", "--no-startup-delay")


def _tasks_left() -> int:
    """Tasks due or being run: a round ends only when the worker is idle, so stopping it after the last round
    never cuts a task short (a task claimed a moment before the stop would stay RUNNING until its lease ends)."""
    from django_tasks_db.models import DBTaskResult

    return (DBTaskResult.objects.ready() | DBTaskResult.objects.running()).count()


def harness(db: str, rounds: int, plain: bool) -> int:
    from tests.stripe_fake import FakeStripe, make_event, sign_payload

    fake = FakeStripe(hosted_origin="self").start()
    os.environ.update(_environment(db, fake.url))
    _setup(plain)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from checkout.models import Order

    call_command("migrate", verbosity=0)
    call_command("load_catalog", verbosity=0)
    journal = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]
    command = [sys.executable, "-m", "tests.sqlite_race", "worker", *(["--plain"] if plain else [])]
    process = subprocess.Popen(
        command, cwd=ROOT, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    worker_output: list[str] = []
    reader = threading.Thread(target=lambda: worker_output.extend(process.stdout), daemon=True)
    reader.start()
    problems: list[str] = []
    loads = 0
    try:
        for round_ in range(1, rounds + 1):
            browser = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
            started = browser.post(
                "/checkout/start/", {"digital_consent": "on", "product": "level-i", "quantity": "1"}
            )
            if started.status_code != 303:
                problems.append(f"round {round_}: checkout start answered {started.status_code}")
                continue
            order = Order.objects.latest("pk")
            session = fake.complete_session(order.stripe_session_id, email=f"buyer{round_}@example.com")
            body = json.dumps(make_event("checkout.session.completed", session)).encode()
            answer = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1").post(
                "/stripe/webhook/",
                body,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=sign_payload(body, WEBHOOK_SECRET),
            )
            if answer.status_code != 200:
                problems.append(f"round {round_}: webhook answered {answer.status_code}")
            deadline = time.monotonic() + 60
            while True:
                try:
                    page = browser.get("/checkout/success/", {"session_id": order.stripe_session_id})
                    loads += 1
                    if page.status_code != 200:
                        problems.append(f"round {round_}: success page answered {page.status_code}")
                except Exception as exc:  # what the buyer would see as a 500
                    problems.append(f"round {round_}: {type(exc).__name__}: {exc}")
                order.refresh_from_db()
                if order.confirmation_sent_at and order.grants.exists() and not _tasks_left():
                    break
                if time.monotonic() > deadline:
                    problems.append(f"round {round_}: not fulfilled within 60 s ({order.status})")
                    break
    finally:
        process.terminate()
        process.wait(timeout=30)
        reader.join(timeout=5)
        fake.stop()
    from django_tasks_db.models import DBTaskResult

    for result in DBTaskResult.objects.exclude(status="SUCCESSFUL"):
        problems.append(f"task {result.task_path} {result.status}: {result.exception_class_path}")
    problems += [f"worker: {line.strip()}" for line in worker_output if "locked" in line.lower()]
    print(
        json.dumps(
            {"rounds": rounds, "success_page_loads": loads, "journal_mode": journal, "problems": problems}
        )
    )
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["harness", "worker"])
    parser.add_argument("--db", default="")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--plain", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.mode == "worker":
        worker(args.plain)
        return 0
    return harness(args.db, args.rounds, args.plain)


if __name__ == "__main__":
    sys.exit(main())
