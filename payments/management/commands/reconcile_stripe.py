"""`python manage.py reconcile_stripe [--since 2026-11-01]`: bring every order in line with Stripe.

Lists Checkout Sessions, refunds and disputes created in the window (default: the last 3 days) and syncs
each order they belong to through the same code the webhook's task uses, printing one line per order whose
status, refunds, disputes or flags changed. Then re-enqueues what is stuck: events never handled, paid
orders whose confirmation was never sent, payments without fees, tasks whose worker died. Safe to run at any
time, repeatedly, from several machines (every step is idempotent and runs under the order's row lock).
"""

import datetime as dt

import stripe
from django.core.management.base import BaseCommand, CommandError

from checkout.stripe_client import checkout_enabled
from payments import reconcile


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
        "Bring orders in line with Stripe's Checkout Sessions, refunds and disputes; re-enqueue stuck work."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--since", help="UTC date to start from (default: 3 days ago)")

    def handle(self, *args, since: str | None = None, **options) -> None:
        if not checkout_enabled():
            raise CommandError("STRIPE_SECRET_KEY is not set: there is no Stripe account to reconcile with.")
        start = (
            dt.datetime.combine(parse_day(since), dt.time.min, tzinfo=dt.UTC)
            if since
            else reconcile.default_start()
        )
        try:
            for line in reconcile.reconcile(start):
                self.stdout.write(line)
        except stripe.StripeError as exc:
            raise CommandError(f"Stripe answered with an error: {exc.user_message or exc}") from exc
