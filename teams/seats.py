"""Handing out seats: the buyer assigns a seat or gives an unused seat to someone else; a bulk list
(teams.seat_batches) and a claim link (teams.claims) give seats too. Every way a seat gets a holder goes
through `_give`, which refuses nothing itself: the callers check first (`check_one_seat_per_person`).

A seat is "used" once its holder claimed it through a claim link, a kit file was downloaded on it or its
enrolment reached the course platform (or is being sent): from then on it stays with its holder, and staff
decide anything else (the buyer is told why and to ask the academy)."""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from access import enrolment
from access.grants import access_is_due, enqueue_given
from access.models import Download, Grant
from checkout import states
from checkout.models import Order
from common.text import normalise_email
from teams import tasks

DOWNLOADED = "a file has been downloaded on it"
ENROLLED = "the course platform has been told to enrol its holder"


class SeatUnavailable(Exception):
    """The seat is already held or revoked."""


class SeatNotFound(SeatUnavailable):
    """No seat by that token on this buyer's orders."""


class SeatUsed(SeatUnavailable):
    """The seat has been used, so it stays with its holder."""


class SeatClaimed(SeatUnavailable):
    """The seat a claim link names has been taken already."""


def team_order_ids(order: Order) -> list[int]:
    """The orders whose seats one seat manager hands out: the team order and the seats added to it later
    (`Order.adds_seats_to`), from either of them. One query."""
    team = order.team_id
    return list(Order.objects.filter(Q(pk=team) | Q(adds_seats_to_id=team)).values_list("pk", flat=True))


def claimed_reason(claimed_at: dt.datetime) -> str:
    return f"its holder claimed it on {timezone.localtime(claimed_at):%-d %B %Y}"


def use_reasons(grants: Iterable[Grant]) -> dict[tuple[int, int], str]:
    """Why each used seat among `grants` cannot be reassigned, keyed by (line id, seat); unused seats are
    absent. Two queries whatever the number of seats."""
    grants = list(grants)
    by_id = {g.pk: (g.line_id, g.seat) for g in grants}
    reasons: dict[tuple[int, int], str] = {}
    for grant in grants:
        if grant.claimed_at and grant.state == Grant.State.ACTIVE:
            reasons[by_id[grant.pk]] = claimed_reason(grant.claimed_at)
    for grant_id in enrolment.used_grant_ids(by_id):
        reasons[by_id[grant_id]] = ENROLLED
    for grant_id in set(Download.objects.filter(grant_id__in=list(by_id)).values_list("grant_id", flat=True)):
        reasons[by_id[grant_id]] = DOWNLOADED
    return reasons


def locked_buyer_seat(grant_token: str, buyer_email: str) -> tuple[Order, list[Grant]]:
    """The order and every grant of the seat one grant's token names, locked, found by the token and the
    buyer's own email together so nobody reaches a seat of an order that is not theirs. Call inside a
    transaction."""
    grant = (
        Grant.objects.filter(token=grant_token, order__email=normalise_email(buyer_email))
        .exclude(order__email="")
        .first()
    )
    if grant is None:
        raise SeatNotFound("No such seat on your orders.")
    order = Order.objects.select_for_update().get(pk=grant.order_id)
    seat = list(Grant.objects.select_for_update().filter(line_id=grant.line_id, seat=grant.seat))
    return order, seat


class SeatAlreadyHeld(SeatUnavailable):
    """The address already holds an active seat of one of these products on the same order."""


class HeldOnAnotherOrder(SeatUnavailable):
    """The address holds these products on another of the buyer's orders: the buyer must confirm."""


def _product_names(seat: list[Grant]) -> str:
    return ", ".join(sorted({g.product.name for g in seat}))


def holders_on_order(
    order: Order, product_ids: Iterable[int], emails: Iterable[str], *, besides=()
) -> set[str]:
    """Which of `emails` (normalised) hold an active seat of any of the products on `order`'s team (the
    order and the seats added to it), leaving out the seats `besides` names ((line id, seat) pairs)."""
    held = Grant.objects.filter(
        order_id__in=team_order_ids(order),
        state=Grant.State.ACTIVE,
        holder_email__in=list(emails),
        product_id__in=list(product_ids),
    ).values_list("holder_email", "line_id", "seat")
    besides = set(besides)
    return {email for email, line_id, seat in held if (line_id, seat) not in besides}


def holders_on_other_orders(
    order: Order, product_ids: Iterable[int], emails: Iterable[str]
) -> dict[str, str]:
    """Which of `emails` hold an active seat of any of the products on another order (outside this team)
    of the same buyer, with that order's reference. Other buyers' orders are never looked at (nobody learns
    who else bought)."""
    held = (
        Grant.objects.filter(
            order__email=order.email,
            state=Grant.State.ACTIVE,
            holder_email__in=list(emails),
            product_id__in=list(product_ids),
        )
        .exclude(order_id__in=team_order_ids(order))
        .exclude(order__email="")
        .order_by("order_id")
        .values_list("holder_email", "order__reference")
    )
    return {email: reference for email, reference in held}


def check_one_seat_per_person(
    order: Order, seat: list[Grant], email: str, *, elsewhere_confirmed: bool
) -> None:
    """Refuse a second seat of a product on one order; ask for confirmation across the buyer's orders."""
    products = [g.product_id for g in seat]
    if email in holders_on_order(order, products, [email], besides=[(seat[0].line_id, seat[0].seat)]):
        raise SeatAlreadyHeld(f"{email} already holds a seat of {_product_names(seat)} on this order.")
    if not elsewhere_confirmed:
        reference = holders_on_other_orders(order, products, [email]).get(email)
        if reference:
            raise HeldOnAnotherOrder(
                f"{email} already holds {_product_names(seat)} from your order {reference}."
            )


def _give(
    order: Order,
    given: list[tuple[list[Grant], str, str]],
    *,
    claimed: bool = False,
    announce: bool = True,
) -> None:
    """Each seat (every grant of it) goes to its name and email, who is enrolled and, with `announce`,
    sent one access email per seat (a batch sends one per person itself). One update for all of them."""
    now = timezone.now()
    changed: list[Grant] = []
    for seat, name, email in given:
        email = normalise_email(email)
        if not email:
            raise SeatUnavailable("That email address cannot be used.")
        for member in seat:
            member.holder_name = name
            member.holder_email = email
            member.state = Grant.State.ACTIVE
            member.assigned_at = now
            member.claimed_at = now if claimed else None
            member.first_seen_at = None  # an earlier holder's visit does not count for this one
            changed.append(member)
    Grant.objects.bulk_update(
        changed,
        ["holder_name", "holder_email", "state", "assigned_at", "claimed_at", "first_seen_at", "updated_at"],
    )
    if announce:
        enqueue_given([(seat[0].line_id, seat[0].seat) for seat, _, _ in given])
    enrolment.record_given(changed)


@transaction.atomic
def assign_seat(
    *, grant_token: str, buyer_email: str, name: str, email: str, elsewhere_confirmed: bool = False
) -> list[Grant]:
    """The buyer gives an unassigned seat (every grant of it) to a name and email, who is then emailed."""
    email = normalise_email(email)
    order, seat = locked_buyer_seat(grant_token, buyer_email)
    if not access_is_due(order) or any(g.state != Grant.State.UNASSIGNED for g in seat):
        raise SeatUnavailable("That seat is already assigned or no longer available.")
    check_one_seat_per_person(order, seat, email, elsewhere_confirmed=elsewhere_confirmed)
    _give(order, [(seat, name, email)])
    states.note(
        order, "access", f"Seat {seat[0].seat} of line {seat[0].line_id} assigned to {email}.", source="buyer"
    )
    return seat


@transaction.atomic
def reassign_seat(
    *, grant_token: str, buyer_email: str, name: str, email: str, elsewhere_confirmed: bool = False
) -> list[Grant]:
    """The buyer gives a held seat that has not been used to another name and email, who is emailed. The
    previous holder's access to it ends, and they are emailed that the seat went to someone else."""
    email = normalise_email(email)
    order, seat = locked_buyer_seat(grant_token, buyer_email)
    if not access_is_due(order) or any(g.state != Grant.State.ACTIVE for g in seat):
        raise SeatUnavailable("Only a seat that is assigned and active can be given to someone else.")
    reason = use_reasons(seat).get((seat[0].line_id, seat[0].seat))
    if reason:
        raise SeatUsed(
            f"This seat stays with its holder: {reason}. To have it moved, write to the academy at "
            f"{settings.SITE_CONTACT_EMAIL}."
        )
    previous, previous_name = seat[0].holder_email, seat[0].holder_name
    if normalise_email(previous) == email:
        raise SeatUnavailable("That seat is already held by this address.")
    check_one_seat_per_person(order, seat, email, elsewhere_confirmed=elsewhere_confirmed)
    enrolment.cancel_unsent(g.pk for g in seat)
    _give(order, [(seat, name, email)])
    tasks.send_seat_given_away_email.enqueue(
        order.pk, previous, previous_name, sorted({g.product.name for g in seat}), given_away_purpose(seat[0])
    )
    states.note(
        order,
        "access",
        f"Seat {seat[0].seat} of line {seat[0].line_id} reassigned from {previous} to {email}.",
        source="buyer",
    )
    return seat


def given_away_purpose(grant: Grant) -> str:
    """One "your seat went to someone else" email per handover: the outbox's purpose names the seat and the
    moment it changed hands (40 characters at most)."""
    return f"seat-away-{grant.line_id}-{grant.seat}-{int(grant.assigned_at.timestamp() * 1_000_000)}"
