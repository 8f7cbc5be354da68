"""Concurrent seat changes on PostgreSQL: the order's row lock keeps bulk assigns and grant creation single."""

import pytest

from access import grants
from access.models import Grant
from catalog.models import Product
from teams import seat_batches
from tests.concurrency import POSTGRESQL_ONLY, run_together
from tests.factories import make_order

pytestmark = POSTGRESQL_ONLY


@pytest.fixture
def bundle_order(catalog):
    order = make_order([(Product.objects.get(slug="bundle"), 5)], email="lead@studio.example")
    grants.grant_access_for_order(order.pk)
    return order


def _assign_call(order, text: str):
    line = order.lines.get()
    # The buyer saw this preview before anyone confirmed: every thread confirms a plan made on the same state.
    digest = seat_batches.plan_seat_list(order, line, text).digest

    def call():
        return seat_batches.assign_seat_list(
            reference=order.reference,
            buyer_email=order.email,
            line_id=line.pk,
            text=text,
            include_elsewhere=False,
            seen_digest=digest,
        )

    return call


def test_ten_concurrent_lists_never_assign_more_seats_than_exist_or_one_address_twice(bundle_order):
    lists = [f"shared@studio.example\nperson{n}@studio.example\nextra{n}@studio.example" for n in range(10)]
    calls = [_assign_call(bundle_order, text) for text in lists]

    results = run_together(calls)

    won = [r for r in results if isinstance(r, seat_batches.SeatPlan)]
    refused = [r for r in results if isinstance(r, seat_batches.SeatListRefused)]
    assert len(won) + len(refused) == 10, [r for r in results if isinstance(r, Exception)]
    seats = list(
        Grant.objects.filter(order=bundle_order, state="active")
        .order_by()
        .values_list("seat", "holder_email")
        .distinct()
    )
    assert len({seat for seat, _ in seats}) == len(seats) <= 5
    assert [email for _, email in seats].count("shared@studio.example") == 1
    held = dict(seats)
    for plan in won:  # nothing a winner assigned was overwritten by another thread
        assert all(held[p.seat] == p.person.email for p in plan.placements)
    assert len(won) == 1


def test_ten_concurrent_single_person_lists_fill_the_free_seats_once_each(bundle_order):
    calls = [_assign_call(bundle_order, f"p{n}@studio.example") for n in range(10)]

    results = run_together(calls)

    won = [r for r in results if isinstance(r, seat_batches.SeatPlan)]
    assert all(isinstance(r, seat_batches.SeatPlan | seat_batches.SeatListRefused) for r in results), results
    holders = list(
        Grant.objects.filter(order=bundle_order, state="active", seat__gt=1)
        .order_by()
        .values_list("seat", "holder_email")
        .distinct()
    )
    assert len(holders) == len({seat for seat, _ in holders}) == len(won) <= 4
    assert sorted(email for _, email in holders) == sorted(w.placements[0].person.email for w in won)


def test_concurrent_grant_creation_makes_each_grant_once(catalog):
    order = make_order([(Product.objects.get(slug="bundle"), 3)], email="lead@studio.example")

    results = run_together([lambda: grants.grant_access_for_order(order.pk)] * 8)

    assert results.count("granted") == 1 and results.count("nothing to do") == 7, results
    assert Grant.objects.filter(order=order).count() == 3 * 4
    assert order.history.filter(message__startswith="Access granted").count() == 1
