"""Access grants: given when money is received, revoked on a full refund (given back if that refund fails)
or a lost dispute, seats assigned by the buyer. Each change locks the order row, writes the order's history
and enqueues its emails and enrolment events in the same transaction (access.tasks, access.enrolment), so
they exist exactly when the change commits. Reassigning and claiming seats live in access.seats."""

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from access import enrolment
from access.models import Download, Grant, KitFile
from catalog.models import Product
from checkout import states
from checkout.models import Dispute, EmailDelivery, Order, OrderLine

logger = logging.getLogger("access")

LOST_DISPUTE = "lost"
# The reason fulfilment gives when a full refund ends access; only grants revoked for it come back on
# their own when that refund fails or is cancelled (staff revocations and lost disputes stand).
REFUNDED_IN_FULL = "refunded in full"
DISPUTE_LOST = "dispute lost"


class SeatUnavailable(Exception):
    """The seat is already held or revoked."""


class SeatNotFound(SeatUnavailable):
    """No seat by that token on this buyer's orders."""


def products_for_line(line: OrderLine) -> list[Product]:
    """What one seat of the line grants: the product, or a Bundle's components in their bundle order."""
    product = line.product
    if product is None:
        return []
    if product.is_bundle:
        return [item.component for item in product.bundle_items.select_related("component")]
    return [product]


def access_is_due(order: Order) -> bool:
    """Money received, not refunded in full, no dispute lost."""
    if order.status not in states.MONEY_RECEIVED or order.status == Order.Status.REFUNDED:
        return False
    return not Dispute.objects.filter(order=order, status=LOST_DISPUTE).exists()


def _enqueue_given(seats: Iterable[tuple[int, int]]) -> None:
    from access import tasks

    for line_id, seat in sorted(set(seats)):
        tasks.send_access_given_email.enqueue(line_id, seat)


def _enqueue_revoked(grants: Iterable[Grant]) -> None:
    from access import tasks

    for line_id, seat, email in sorted(
        {(g.line_id, g.seat, g.holder_email) for g in grants if g.holder_email}
    ):
        tasks.send_access_revoked_email.enqueue(line_id, seat, email)


@transaction.atomic
def grant_access_for_order(order_id: int) -> str:
    """Create the order's missing grants: one per seat and product. The buyer holds the first seat of each
    line at once; other seats wait for the buyer to assign them. Safe to run any number of times."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if not access_is_due(order):
        return "not due"
    now = timezone.now()
    existing = set(Grant.objects.filter(order=order).values_list("line_id", "seat", "product_id"))
    # A Bundle bought to complete what the buyer owns adds only the parts they do not hold yet.
    already_held = (
        set(
            Grant.objects.filter(holder_email__iexact=order.email, state=Grant.State.ACTIVE)
            .exclude(order=order)
            .values_list("product_id", flat=True)
        )
        if order.credit_cents and order.email
        else set()
    )
    new: list[Grant] = []
    for line in order.lines.select_related("product"):
        products = products_for_line(line)
        for seat in range(1, line.quantity + 1):
            held_by_buyer = seat == 1 and bool(order.email)
            for product in products:
                if (line.pk, seat, product.pk) in existing or (held_by_buyer and product.pk in already_held):
                    continue
                new.append(
                    Grant(
                        order=order,
                        line=line,
                        seat=seat,
                        product=product,
                        holder_name=order.buyer_name if held_by_buyer else "",
                        holder_email=order.email if held_by_buyer else "",
                        state=Grant.State.ACTIVE if held_by_buyer else Grant.State.UNASSIGNED,
                        assigned_at=now if held_by_buyer else None,
                    )
                )
    if not new:
        return "nothing to do"
    Grant.objects.bulk_create(new)
    active = [g for g in new if g.state == Grant.State.ACTIVE]
    enrolment.record_given(
        Grant.objects.filter(order=order, state=Grant.State.ACTIVE, enrolment_deliveries=None)
    )
    states.note(
        order,
        "access",
        f"Access granted: {len(new)} grant(s), {len(active)} held by the buyer, "
        f"{len(new) - len(active)} on seats to assign.",
        source="task",
    )
    # The buyer's own seat is announced by the order confirmation (one email after paying, not two); seats
    # the buyer assigns later get their own access email.
    logger.info("order %s: %d grants created", order.reference, len(new))
    return "granted"


@transaction.atomic
def revoke_access_for_order(order_id: int, reason: str) -> str:
    """Revoke every grant of the order that is not revoked yet, except those staff restored (their
    decision stands); each holder is told once per seat. Does nothing if access is due again by the time
    it runs (the refund failed or was cancelled meanwhile): the order's current state decides."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if access_is_due(order):
        return "still due"
    grants = list(
        Grant.objects.select_for_update()
        .filter(order=order, restored_at__isnull=True)
        .exclude(state=Grant.State.REVOKED)
    )
    if not grants:
        return "nothing to do"
    _revoke(grants, reason)
    states.note(order, "access", f"Access revoked ({reason}): {len(grants)} grant(s).", source="task")
    logger.info("order %s: %d grants revoked (%s)", order.reference, len(grants), reason)
    return "revoked"


@transaction.atomic
def restore_access_for_order(order_id: int) -> str:
    """Give back what a full refund took once that refund has failed or been cancelled and access is due
    again. Holders who were told their access ended get the access email once more."""
    from access import tasks
    from access.emails import revoked_purpose

    order = Order.objects.select_for_update().get(pk=order_id)
    if not access_is_due(order):
        return "not due"
    grants = list(
        Grant.objects.select_for_update().filter(
            order=order, state=Grant.State.REVOKED, revoked_reason=REFUNDED_IN_FULL
        )
    )
    if not grants:
        return "nothing to do"
    _reinstate(grants)
    told = set(EmailDelivery.objects.filter(order=order).values_list("purpose", "recipient"))
    seats = sorted(
        {(g.line_id, g.seat) for g in grants if (revoked_purpose(g.line_id, g.seat), g.holder_email) in told}
    )
    again = secrets.token_hex(3)
    for line_id, seat in seats:
        tasks.send_access_given_email.enqueue(line_id, seat, resend=again)
    states.note(
        order,
        "access",
        f"Access restored (the full refund did not go through): {len(grants)} grant(s).",
        source="task",
    )
    logger.info("order %s: %d grants restored", order.reference, len(grants))
    return "restored"


def _reinstate(grants: list[Grant], **extra) -> None:
    """Revoked grants back in use: active when held, waiting for a holder otherwise."""
    for grant in grants:
        grant.state = Grant.State.ACTIVE if grant.holder_email else Grant.State.UNASSIGNED
        grant.revoked_reason = ""
        grant.revoked_at = None
        for name, value in extra.items():
            setattr(grant, name, value)
    Grant.objects.bulk_update(grants, ["state", "revoked_reason", "revoked_at", *extra, "updated_at"])
    enrolment.record_given(grants)


def _revoke(grants: list[Grant], reason: str) -> None:
    now = timezone.now()
    for grant in grants:
        grant.state = Grant.State.REVOKED
        grant.revoked_reason = reason[:200]
        grant.revoked_at = now
    Grant.objects.bulk_update(grants, ["state", "revoked_reason", "revoked_at", "updated_at"])
    _enqueue_revoked(grants)
    enrolment.record_revoked(grants)


@transaction.atomic
def revoke_grants(grant_ids: Iterable[int], *, reason: str, source: str) -> int:
    """Staff revoke chosen grants (e.g. after a partial refund). Returns how many changed."""
    grants = list(
        Grant.objects.select_for_update().filter(pk__in=list(grant_ids)).exclude(state=Grant.State.REVOKED)
    )
    if grants:
        _revoke(grants, reason)
    for order in Order.objects.filter(pk__in={g.order_id for g in grants}):
        count = sum(1 for g in grants if g.order_id == order.pk)
        states.note(order, "access", f"Access revoked ({reason}): {count} grant(s).", source=source)
    return len(grants)


@transaction.atomic
def restore_grants(grant_ids: Iterable[int], *, source: str) -> int:
    """Staff undo a revocation: a held grant is active again, an unheld one waits to be assigned. No email
    goes out (the holder already had the access email)."""
    grants = list(Grant.objects.select_for_update().filter(pk__in=list(grant_ids), state=Grant.State.REVOKED))
    _reinstate(grants, restored_at=timezone.now())
    for order in Order.objects.filter(pk__in={g.order_id for g in grants}):
        count = sum(1 for g in grants if g.order_id == order.pk)
        states.note(order, "access", f"Access restored by staff: {count} grant(s).", source=source)
    return len(grants)


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


@transaction.atomic
def assign_seat(*, grant_token: str, buyer_email: str, name: str, email: str) -> list[Grant]:
    """The buyer gives an unassigned seat (every grant of it) to a name and email, who is then emailed."""
    order, seat = locked_buyer_seat(grant_token, buyer_email)
    if not access_is_due(order) or any(g.state != Grant.State.UNASSIGNED for g in seat):
        raise SeatUnavailable("That seat is already assigned or no longer available.")
    now = timezone.now()
    for member in seat:
        member.holder_name = name
        member.holder_email = email
        member.state = Grant.State.ACTIVE
        member.assigned_at = now
    Grant.objects.bulk_update(seat, ["holder_name", "holder_email", "state", "assigned_at", "updated_at"])
    states.note(
        order, "access", f"Seat {seat[0].seat} of line {seat[0].line_id} assigned to {email}.", source="buyer"
    )
    _enqueue_given([(seat[0].line_id, seat[0].seat)])
    enrolment.record_given(seat)
    return seat


@transaction.atomic
def resend_access_emails(grant_ids: Iterable[int], *, source: str) -> int:
    """Staff send the access email again to the holders of the chosen active grants: once per seat per
    click, through the email task. Returns how many emails were queued."""
    from access import tasks

    grants = Grant.objects.filter(pk__in=list(grant_ids), state=Grant.State.ACTIVE).exclude(holder_email="")
    seats = sorted({(g.order_id, g.line_id, g.seat, g.holder_email) for g in grants})
    click = secrets.token_hex(3)
    for _, line_id, seat, _ in seats:
        tasks.send_access_given_email.enqueue(line_id, seat, resend=click)
    for order in Order.objects.filter(pk__in={order_id for order_id, *_ in seats}):
        emails = sorted({email for order_id, _, _, email in seats if order_id == order.pk})
        states.note(order, "access", f"Access email resent to {', '.join(emails)}.", source=source)
    return len(seats)


def record_download(*, grant: Grant, kit_file: KitFile) -> Download:
    """A download starts; its bytes are filled in as the file is streamed (see access.views)."""
    return Download.objects.create(grant=grant, kit_file=kit_file, file_name=kit_file.file.name, bytes=0)


def record_bytes_sent(download_id: int, sent: int) -> None:
    Download.objects.filter(pk=download_id).update(bytes=sent)


@dataclass(frozen=True)
class AccessRepair:
    """What lost or abandoned tasks left undone, by order id."""

    to_grant: list[int]
    to_revoke: list[tuple[int, str]]  # with the reason the revocation is given
    to_restore: list[int]


def orders_needing_access_repair() -> AccessRepair:
    """Orders owed grants they do not have, orders whose access a full refund or lost dispute ended but
    which still give it, and orders whose full refund failed but whose grants are still revoked for it."""
    received = Order.objects.filter(status__in=states.MONEY_RECEIVED)
    to_grant = [
        order.pk
        for order in received.exclude(status=Order.Status.REFUNDED).prefetch_related("lines", "grants")
        if access_is_due(order)
        and order.grants.count()
        < sum(len(products_for_line(line)) * line.quantity for line in order.lines.all())
    ]
    ended = received.filter(Q(status=Order.Status.REFUNDED) | Q(disputes__status=LOST_DISPUTE))
    to_revoke = [
        (order_id, REFUNDED_IN_FULL if status == Order.Status.REFUNDED else DISPUTE_LOST)
        for order_id, status in ended.filter(
            grants__state__in=[Grant.State.ACTIVE, Grant.State.UNASSIGNED], grants__restored_at__isnull=True
        )
        .distinct()
        .values_list("pk", "status")
    ]
    to_restore = [
        order.pk
        for order in received.exclude(status=Order.Status.REFUNDED)
        .filter(grants__state=Grant.State.REVOKED, grants__revoked_reason=REFUNDED_IN_FULL)
        .distinct()
        if access_is_due(order)
    ]
    return AccessRepair(to_grant, to_revoke, to_restore)
