"""`create_pending_order`, called directly (as every entry point does): it enforces the seat limit itself,
and a second Pay click reuses the first order only for the same price and within REUSE_PENDING_FOR."""

import datetime as dt

import pytest
from django.utils import timezone

from catalog.seats import MAX_SEATS, MIN_SEATS
from checkout import services
from checkout.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def level_i(catalog):
    return catalog["level-i"]


@pytest.mark.parametrize("quantity", [MIN_SEATS - 1, MAX_SEATS + 1, -3])
def test_the_service_refuses_a_seat_count_outside_the_limit(level_i, quantity):
    with pytest.raises(ValueError, match=f"between {MIN_SEATS} and {MAX_SEATS}"):
        services.create_pending_order(product=level_i, quantity=quantity, visitor="browser-1")

    assert not Order.objects.exists()


@pytest.mark.parametrize("quantity", [MIN_SEATS, MAX_SEATS])
def test_the_service_accepts_the_limits_themselves(level_i, quantity):
    order = services.create_pending_order(product=level_i, quantity=quantity, visitor="browser-1")

    assert order.lines.get().quantity == quantity
    assert order.subtotal_cents == level_i.price_cents * quantity


def test_a_second_click_at_the_same_price_reuses_the_order(level_i):
    first = services.create_pending_order(product=level_i, quantity=2, visitor="browser-1")
    second = services.create_pending_order(product=level_i, quantity=2, visitor="browser-1")

    assert second.pk == first.pk
    assert Order.objects.count() == 1


def test_a_price_change_between_two_clicks_makes_a_new_order_at_the_new_price(level_i):
    first = services.create_pending_order(product=level_i, quantity=2, visitor="browser-1")
    old_price = level_i.price_cents
    level_i.price_cents = old_price + 5_000
    level_i.save()

    second = services.create_pending_order(product=level_i, quantity=2, visitor="browser-1")

    assert second.pk != first.pk
    assert second.subtotal_cents == second.total_cents == (old_price + 5_000) * 2
    assert second.lines.get().unit_price_cents == old_price + 5_000
    first.refresh_from_db()
    assert first.subtotal_cents == old_price * 2  # the first order keeps the price it was made at


def created_minutes_ago(order: Order, minutes: float) -> None:
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - dt.timedelta(minutes=minutes))


def test_the_reuse_window_is_one_hour():
    assert dt.timedelta(hours=1) == services.REUSE_PENDING_FOR


@pytest.mark.parametrize("minutes", [1, 30, 59])
def test_a_pending_order_younger_than_an_hour_is_reused(level_i, minutes):
    first = services.create_pending_order(product=level_i, quantity=1, visitor="browser-1")
    created_minutes_ago(first, minutes)

    second = services.create_pending_order(product=level_i, quantity=1, visitor="browser-1")

    assert second.pk == first.pk


@pytest.mark.parametrize("minutes", [61, 60 * 24])
def test_a_pending_order_older_than_an_hour_is_not_reused(level_i, minutes):
    first = services.create_pending_order(product=level_i, quantity=1, visitor="browser-1")
    created_minutes_ago(first, minutes)

    second = services.create_pending_order(product=level_i, quantity=1, visitor="browser-1")

    assert second.pk != first.pk
    first.refresh_from_db()
    assert first.checkout_key is None  # released, so the new order holds the key
    assert second.checkout_key is not None


def test_an_order_no_longer_pending_is_not_reused(level_i):
    first = services.create_pending_order(product=level_i, quantity=1, visitor="browser-1")
    Order.objects.filter(pk=first.pk).update(status=Order.Status.FAILED)

    second = services.create_pending_order(product=level_i, quantity=1, visitor="browser-1")

    assert second.pk != first.pk
