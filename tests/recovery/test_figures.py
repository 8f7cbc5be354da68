"""The dashboard's reminder figures, checked against fixtures counted by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Product
from checkout.models import Order
from recovery import figures
from recovery.models import RecoveredOrder, RecoveryConsent, Reminder
from tests.factories import make_order, make_product, make_staff

pytestmark = pytest.mark.django_db
S, H, X = Reminder.Decision.SEND, Reminder.Decision.HELD_OUT, Reminder.Decision.SKIPPED


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2026, month, day, 12, tzinfo=dt.UTC)


def reminder(
    product: Product, email: str, decision: str, decided: dt.datetime, *, sent: bool = True, **order_fields
) -> Reminder:
    expired = make_order([(product, 1)], status="expired", email=email, **order_fields)
    Order.objects.filter(pk=expired.pk).update(created_at=decided - dt.timedelta(hours=2))
    expired.refresh_from_db()
    consent = RecoveryConsent.objects.create(
        order=expired, email=email, text_version="v", consented_at=decided
    )
    return Reminder.objects.create(
        consent=consent,
        order=expired,
        session_id=f"cs_{expired.pk}",
        email=email,
        product=product,
        quantity=1,
        decision=decision,
        decided_at=decided,
        sent_at=decided if sent and decision == S else None,
    )


def paid(product: Product, email: str, when: dt.datetime, **fields) -> Order:
    return make_order([(product, 1)], email=email, paid_at=when, **fields)


@pytest.fixture
def fixtures(catalog):
    level, kit = catalog["level-i"], catalog["ai-kit"]
    euro = make_product(slug="euro-kit", currency="EUR", price_cents=5000)
    # November: three sent (a came back through the link, c bought something else), one due but never
    # sent, two held out (d came back by itself), one skipped.
    a = reminder(level, "a@example.com", S, at(11, 3))
    RecoveredOrder.objects.create(order=paid(level, "a@example.com", at(11, 4)), recovered_from=a)
    reminder(level, "b@example.com", S, at(11, 5))
    reminder(level, "c@example.com", S, at(11, 6))
    paid(kit, "c@example.com", at(11, 7))
    reminder(level, "z@example.com", S, at(11, 8), sent=False)
    reminder(level, "d@example.com", H, at(11, 9))
    paid(level, "d@example.com", at(11, 20))
    reminder(level, "e@example.com", H, at(11, 10))
    reminder(level, "y@example.com", X, at(11, 11))
    paid(level, "y@example.com", at(11, 12))
    # December: f came back on an order of its own; g had paid before starting the expired order.
    reminder(level, "f@example.com", S, at(12, 1))
    paid(level, "f@example.com", at(12, 2))
    paid(level, "g@example.com", at(11, 25))
    reminder(level, "g@example.com", H, at(12, 1))
    # A euro product: not in the dollar figures.
    reminder(euro, "h@example.com", S, at(11, 3))
    return level


def test_monthly_figures_match_the_hand_count(fixtures):
    rows = figures.monthly(start=at(10, 1), end=at(12, 31), currency="USD")

    november, december = rows
    assert november.month == dt.date(2026, 11, 1)
    assert (november.reminders_sent, november.reminded_returned) == (3, 1)
    assert (november.recovered_orders, november.recovered_revenue_cents) == (1, fixtures.price_cents)
    assert (november.held_out, november.held_out_returned) == (2, 1)
    assert november.reminded_rate == Decimal("33.3") and november.holdout_rate == Decimal("50.0")
    assert november.lift == Decimal("-16.7")
    assert (december.reminders_sent, december.reminded_returned, december.recovered_orders) == (1, 1, 0)
    assert (december.held_out, december.held_out_returned) == (1, 0)
    assert december.lift == Decimal("100.0")


def test_an_order_in_another_currency_counts_where_the_buyer_shopped(fixtures):
    in_pounds = reminder(fixtures, "p@example.com", S, at(11, 15), currency="GBP")
    came_back = paid(fixtures, "p@example.com", at(11, 16), currency="GBP", total_cents=9900)
    RecoveredOrder.objects.create(order=came_back, recovered_from=in_pounds)

    [november_usd, _] = figures.monthly(start=at(10, 1), end=at(12, 31), currency="USD")
    [november_gbp] = figures.monthly(start=at(10, 1), end=at(12, 31), currency="GBP")

    assert (november_usd.reminders_sent, november_usd.recovered_orders) == (3, 1)  # as without it
    assert (november_gbp.reminders_sent, november_gbp.reminded_returned) == (1, 1)
    assert (november_gbp.recovered_orders, november_gbp.recovered_revenue_cents) == (1, 9900)


def test_a_refunded_recovered_order_counts_only_what_was_kept(fixtures):
    order = RecoveredOrder.objects.get().order
    Order.objects.filter(pk=order.pk).update(amount_refunded_cents=1000, status="partially_refunded")

    [november, _] = figures.monthly(start=at(10, 1), end=at(12, 31), currency="USD")

    assert november.recovered_revenue_cents == fixtures.price_cents - 1000


def test_no_holdout_means_no_lift():
    row = figures.MonthFigures(month=dt.date(2026, 11, 1), reminders_sent=4, reminded_returned=1)

    assert row.reminded_rate == Decimal("25.0")
    assert row.holdout_rate is None and row.lift is None


def test_the_dashboard_shows_the_figures_with_their_counts(fixtures, client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client.force_login(make_staff("finance", group="Finance"))

    page = client.get(
        reverse("finance:dashboard"), {"since": "2026-10-01", "until": "2026-12-31", "currency": "USD"}
    ).content.decode()

    assert "Checkout reminders" in page
    assert "1 (33.3%)" in page and "1 (50.0%)" in page and "-16.7 points" in page
