"""The buyer's seat manager: assigning a seat, giving an unused seat to someone else, and claim links a
recipient opens to take an unassigned seat themselves. Every way a seat gets a holder goes through `_give`.

A seat is "used" once a kit file was downloaded on it or its enrolment reached the course platform (or is
being sent): from then on it stays with its holder, and staff decide anything else."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from access import enrolment
from access.grants import DISPUTE_LOST, access_is_due, ended_reason, enqueue_given
from access.models import Download, Grant
from checkout import states
from checkout.models import Order

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


def use_reasons(grants: Iterable[Grant]) -> dict[tuple[int, int], str]:
    """Why each used seat among `grants` cannot be reassigned, keyed by (line id, seat); unused seats are
    absent. Two queries whatever the number of seats."""
    by_id = {g.pk: (g.line_id, g.seat) for g in grants}
    reasons: dict[tuple[int, int], str] = {}
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
        Grant.objects.filter(token=grant_token, order__email__iexact=buyer_email)
        .exclude(order__email="")
        .first()
    )
    if grant is None:
        raise SeatNotFound("No such seat on your orders.")
    order = Order.objects.select_for_update().get(pk=grant.order_id)
    seat = list(Grant.objects.select_for_update().filter(line_id=grant.line_id, seat=grant.seat))
    return order, seat


def _give(order: Order, seat: list[Grant], *, name: str, email: str) -> None:
    """The seat (every grant of it) goes to a name and email, who is emailed and enrolled."""
    now = timezone.now()
    for member in seat:
        member.holder_name = name
        member.holder_email = email
        member.state = Grant.State.ACTIVE
        member.assigned_at = now
    Grant.objects.bulk_update(seat, ["holder_name", "holder_email", "state", "assigned_at", "updated_at"])
    enqueue_given([(seat[0].line_id, seat[0].seat)])
    enrolment.record_given(seat)


@transaction.atomic
def assign_seat(*, grant_token: str, buyer_email: str, name: str, email: str) -> list[Grant]:
    """The buyer gives an unassigned seat (every grant of it) to a name and email, who is then emailed."""
    order, seat = locked_buyer_seat(grant_token, buyer_email)
    if not access_is_due(order) or any(g.state != Grant.State.UNASSIGNED for g in seat):
        raise SeatUnavailable("That seat is already assigned or no longer available.")
    _give(order, seat, name=name, email=email)
    states.note(
        order, "access", f"Seat {seat[0].seat} of line {seat[0].line_id} assigned to {email}.", source="buyer"
    )
    return seat


@transaction.atomic
def reassign_seat(*, grant_token: str, buyer_email: str, name: str, email: str) -> list[Grant]:
    """The buyer gives a held seat that has not been used to another name and email, who is emailed. The
    previous holder's access to it ends with no email (nothing of it was used)."""
    order, seat = locked_buyer_seat(grant_token, buyer_email)
    if not access_is_due(order) or any(g.state != Grant.State.ACTIVE for g in seat):
        raise SeatUnavailable("Only a seat that is assigned and active can be given to someone else.")
    reason = use_reasons(seat).get((seat[0].line_id, seat[0].seat))
    if reason:
        raise SeatUsed(f"This seat stays with its holder: {reason}.")
    previous = seat[0].holder_email
    if previous.lower() == email.lower():
        raise SeatUnavailable("That seat is already held by this address.")
    enrolment.cancel_unsent(g.pk for g in seat)
    _give(order, seat, name=name, email=email)
    states.note(
        order,
        "access",
        f"Seat {seat[0].seat} of line {seat[0].line_id} reassigned from {previous} to {email}.",
        source="buyer",
    )
    return seat


def claimable_seat(line_id: int, seat_number: int) -> list[Grant]:
    """The grants of the seat a claim link names, when it can still be claimed; raises otherwise."""
    seat = list(
        Grant.objects.filter(line_id=line_id, seat=seat_number)
        .select_related("product", "order")
        .order_by("pk")
    )
    if not seat:
        raise SeatNotFound("No such seat.")
    # A refund in full or a lost dispute ends the seat even before its grants are revoked.
    order = seat[0].order
    if not access_is_due(order):
        if ended_reason(order) == DISPUTE_LOST:
            raise SeatUnavailable(
                "The payment for the order behind this link was disputed by the card holder."
            )
        raise SeatUnavailable("The order behind this link was refunded.")
    if any(g.state == Grant.State.REVOKED for g in seat):
        raise SeatUnavailable("The academy ended access for this seat.")
    if any(g.state != Grant.State.UNASSIGNED for g in seat):
        raise SeatClaimed("This seat has been claimed already.")
    return seat


@transaction.atomic
def claim_seat(*, line_id: int, seat_number: int, name: str, email: str) -> list[Grant]:
    """The person a claim link was sent to takes the seat: it works once, while the seat is unassigned."""
    claimable_seat(line_id, seat_number)
    first = Grant.objects.filter(line_id=line_id, seat=seat_number).first()
    order = Order.objects.select_for_update().get(pk=first.order_id)
    seat = list(Grant.objects.select_for_update().filter(line_id=line_id, seat=seat_number))
    if any(g.state != Grant.State.UNASSIGNED for g in seat):
        raise SeatClaimed("This seat has been claimed already.")
    if not access_is_due(order):
        raise SeatUnavailable("This order no longer gives access.")
    _give(order, seat, name=name, email=email)
    states.note(
        order,
        "access",
        f"Seat {seat_number} of line {line_id} claimed by {email} with a claim link.",
        source="buyer",
    )
    return seat
