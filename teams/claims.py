"""Claim links: the buyer sends a link for one unassigned seat by any means (chat, their own email); whoever
opens it may take the seat once, while it is unassigned, and never a second seat of a product on one order.
The link is signed for the seat's line and number and works for CLAIM_LINK_MAX_AGE_SECONDS. The claim page
is teams.claim_views; the seat goes to its holder through teams.seats like every other."""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from access import emails
from access.grants import DISPUTE_LOST, access_is_due, ended_reason
from access.links import LinkInvalid, unsign
from access.models import Grant
from checkout import states
from checkout.models import Order
from common.text import normalise_email
from teams.seats import (
    SeatClaimed,
    SeatNotFound,
    SeatUnavailable,
    _give,
    check_one_seat_per_person,
    locked_buyer_seat,
    team_order_ids,
)

# The salt the first claim links were signed with (when they lived in access): links sent then still work.
CLAIM_SALT = "access.claim"


def claim_token(grant: Grant) -> str:
    """A link for one unassigned seat (named by its line and number), sent by the buyer by any means."""
    return signing.TimestampSigner(salt=CLAIM_SALT).sign_object({"l": grant.line_id, "s": grant.seat})


@transaction.atomic
def take_claim_link(*, grant_token: str, buyer_email: str) -> list[Grant]:
    """The buyer takes a free seat's claim link to send it: from now on the seat manager shows the link and
    a pasted list fills the seats whose links have not gone out first (teams.seat_batches). The first time
    counts; later ones change nothing."""
    order, seat = locked_buyer_seat(grant_token, buyer_email)
    if not access_is_due(order) or any(g.state != Grant.State.UNASSIGNED for g in seat):
        raise SeatUnavailable("That seat is already assigned or no longer available.")
    if any(g.claim_link_out_at is None for g in seat):
        now = timezone.now()
        Grant.objects.filter(pk__in=[g.pk for g in seat], claim_link_out_at__isnull=True).update(
            claim_link_out_at=now
        )
        states.note(
            order,
            "access",
            f"Claim link of seat {seat[0].seat} of line {seat[0].line_id} taken to send.",
            source="buyer",
        )
    return seat


def read_claim_token(token: str) -> tuple[int, int]:
    """(line id, seat number) of a genuine, fresh claim link; raises access.links.LinkExpired or
    LinkInvalid."""
    value = unsign(token, CLAIM_SALT, settings.CLAIM_LINK_MAX_AGE_SECONDS)
    line_id, seat = value.get("l"), value.get("s")
    if not (isinstance(line_id, int) and isinstance(seat, int)):
        raise LinkInvalid
    return line_id, seat


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
    """The person a claim link was sent to takes the seat: it works once, while the seat is unassigned, and
    never gives an address a second seat of a product on one order."""
    email = normalise_email(email)
    claimable_seat(line_id, seat_number)
    first = Grant.objects.filter(line_id=line_id, seat=seat_number).first()
    order = Order.objects.select_for_update().get(pk=first.order_id)
    seat = list(Grant.objects.select_for_update().filter(line_id=line_id, seat=seat_number))
    if any(g.state != Grant.State.UNASSIGNED for g in seat):
        raise SeatClaimed("This seat has been claimed already.")
    if not access_is_due(order):
        raise SeatUnavailable("This order no longer gives access.")
    # The claimant is not the buyer, so a copy on another order is theirs to take: only this order counts.
    check_one_seat_per_person(order, seat, email, elsewhere_confirmed=True)
    _give(order, [(seat, name, email)], claimed=True)
    states.note(
        order,
        "access",
        f"Seat {seat_number} of line {line_id} claimed by {email} with a claim link.",
        source="buyer",
    )
    return seat


def resend_to_holder(line_id: int, email: str) -> None:
    """A claim link was used with an address that already holds a seat of the order: that address gets its
    own access email again (once a day per seat, like the buyer's resend), so the claim page can answer
    the same whether or not the address held a seat. The link stays unused."""
    order = Order.objects.filter(lines=line_id).first()
    grant = (
        Grant.objects.filter(
            order_id__in=team_order_ids(order) if order else [], holder_email=email, state=Grant.State.ACTIVE
        )
        .order_by("line_id", "seat")
        .first()
    )
    if grant is not None:
        day = timezone.localdate().strftime("%y%m%d")
        emails.send_access_given_email.enqueue(grant.line_id, grant.seat, resend=f"d{day}")
