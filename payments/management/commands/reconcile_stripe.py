"""`python manage.py reconcile_stripe [--sweep] [--since 2026-11-01]`: bring every order in line with Stripe.

Two passes (payments.reconcile_runs chooses):

- the sweep, when asked (`--sweep`, `--since`) or when none finished in the last day: lists Checkout
  Sessions, refunds, disputes and payouts created in the window (default: the last 3 days, or back to the
  last pass after a longer gap) and syncs each order they belong to through the same code the webhook's task
  uses, printing one line per order whose status, refunds, disputes or flags changed;
- otherwise the events pass: reads Stripe's events since shortly before the last finished pass and records
  each one the webhook never delivered, as the webhook would (its task converges the order).

Both then converge open payment requests and re-enqueue what is stuck: events never handled, paid orders
whose confirmation was never sent, payments without fees, tasks whose worker died. Safe to run at any time,
repeatedly, from several machines (every step is idempotent and runs under the order's row lock).
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from checkout.stripe_client import checkout_enabled
from checkout.stripe_gateway import StripeError
from payments import reconcile_runs


def parse_day(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since must be a date like 2026-11-01, not {value[:40]!r}.") from None
    if day > dt.datetime.now(tz=dt.UTC).date():
        raise CommandError("--since is in the future.")
    return day


class Command(BaseCommand):
    help = (
        "Bring orders in line with Stripe (a sweep daily, else the events since the last pass); re-enqueue"
        " stuck work."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--since", help="sweep from this UTC date (default: 3 days ago)")
        parser.add_argument(
            "--sweep", action="store_true", help="sweep the window even if a sweep ran in the last day"
        )

    def handle(self, *args, since: str | None = None, sweep: bool = False, **options) -> None:
        if not checkout_enabled():
            raise CommandError("STRIPE_SECRET_KEY is not set: there is no Stripe account to reconcile with.")
        start = dt.datetime.combine(parse_day(since), dt.time.min, tzinfo=dt.UTC) if since else None
        try:
            for line in reconcile_runs.run(sweep=sweep, since=start):
                self.stdout.write(line)
        except StripeError as exc:
            raise CommandError(f"Stripe answered with an error: {exc.user_message or exc}") from exc
