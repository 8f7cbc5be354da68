"""Seat numbers. A line bought on its own numbers its seats from 1. Seats bought later for a team order
(`Order.adds_seats_to`) number on after the team's seats of that product (a team of 5 that adds 3 has seats
6, 7 and 8), so every seat of the team has its own number in the one seat manager that hands them out; a
line whose grants exist keeps its numbers."""

from django.db.models import Max, Min, Q, Sum

from access.models import Grant
from checkout.models import Order, OrderLine


def first_seat(order: Order, line: OrderLine) -> int:
    """The number of the line's first seat. For added seats the caller holds the team order's row lock,
    so two added purchases paid at once never share numbers."""
    numbered = Grant.objects.filter(line=line).aggregate(first=Min("seat"))["first"]
    if numbered is not None:
        return numbered
    if order.adds_seats_to_id is None:
        return 1
    team = Q(order_id=order.adds_seats_to_id) | Q(order__adds_seats_to_id=order.adds_seats_to_id)
    highest = (
        Grant.objects.filter(team, line__product_id=line.product_id)
        .exclude(line=line)
        .aggregate(last=Max("seat"))["last"]
        or 0
    )
    # The team order's own seats count even before its grants exist.
    bought_first = (
        OrderLine.objects.filter(order_id=order.adds_seats_to_id, product_id=line.product_id).aggregate(
            total=Sum("quantity")
        )["total"]
        or 0
    )
    return max(highest, bought_first) + 1
