"""Access grants: what an order's money says its seats may use, now.

Payments never calls in here. After an order's money moves it enqueues `access.tasks.converge_access` (named
in settings.ORDER_CHANGED_TASKS), and `converge_access` decides everything from the order's current state
(`access_is_due`): it grants what is missing, revokes what a full refund or a lost dispute ended, gives back
what a failed refund took, and releases a Bundle completion credit an unpaid order held. Run it any number
of times, in any order with the events: the end state is the same.

Each change locks the order row, writes the order's history and enqueues its emails and enrolment events in
the same transaction, so they exist exactly when the change commits. Seats are handed out by the teams
app, which calls in here; access never calls teams.
"""

import logging
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from access import bundle_completion, emails, enrolment, seat_numbers
from access.models import Grant
from catalog.models import Product
from checkout import states
from checkout.models import Order, OrderLine
from invoicing import selectors
from payments.models import Dispute

logger = logging.getLogger("access")

LOST_DISPUTE = "lost"
# Why an order's grants were revoked. Only grants revoked for a full refund come back on their own when that
# refund fails or is cancelled (staff revocations and lost disputes stand).
REFUNDED_IN_FULL = emails.REFUNDED_IN_FULL
DISPUTE_LOST = "dispute lost"
# Access given when a payment request's invoice was issued (INVOICE_ACCESS_ON_ISSUE), ended because the
# invoice was voided or marked uncollectible. Comes back if the invoice is paid after all.
INVOICE_NOT_PAID = "invoice not paid"
RESTORABLE = (REFUNDED_IN_FULL, INVOICE_NOT_PAID)


def products_for_line(line: OrderLine) -> list[Product]:
    """What one seat of the line grants: the product, or a Bundle's components in their bundle order."""
    product = line.product
    if product is None:
        return []
    if product.is_bundle:
        return [item.component for item in product.bundle_items.select_related("component")]
    return [product]


def access_is_due(order: Order) -> bool:
    """Money received, not refunded in full, no dispute lost; or, before payment, an issued invoice the
    academy gives access on (invoicing.selectors.access_on_invoice)."""
    if order.status == Order.Status.PENDING:
        return selectors.access_on_invoice(order)
    if order.status not in states.MONEY_RECEIVED or order.status == Order.Status.REFUNDED:
        return False
    return not Dispute.objects.filter(order=order, status=LOST_DISPUTE).exists()


def ended_reason(order: Order) -> str:
    """Why an order no longer gives access (a lost dispute is final, so it wins)."""
    if order.status not in states.MONEY_RECEIVED:
        return INVOICE_NOT_PAID
    if Dispute.objects.filter(order=order, status=LOST_DISPUTE).exists():
        return DISPUTE_LOST
    return REFUNDED_IN_FULL


@transaction.atomic
def converge_access(order_id: int) -> str:
    """Bring the order's grants and Bundle credit in line with its money as it is now."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if access_is_due(order):
        granted = grant_access_for_order(order.pk)
        restored = restore_access_for_order(order.pk)
        return f"{granted}; {restored}"
    # Grants on an unpaid order exist only when access was given on an invoice (INVOICE_ACCESS_ON_ISSUE).
    given_unpaid = (
        order.status not in states.MONEY_RECEIVED
        and Grant.objects.filter(order=order).exclude(state=Grant.State.REVOKED).exists()
    )
    if order.status in states.FINISHED_UNPAID:
        # The Bundle completion credit this order held is free for the buyer's next checkout.
        released = bundle_completion.release_bundle_credit(order.pk)
        return (
            f"{released}; {revoke_access_for_order(order.pk, INVOICE_NOT_PAID)}" if given_unpaid else released
        )
    if order.status not in states.MONEY_RECEIVED and not given_unpaid:
        return "nothing to do"
    return revoke_access_for_order(order.pk, ended_reason(order))


def enqueue_given(seats: Iterable[tuple[int, int]]) -> None:
    """One access email per seat given (line id, seat), sent by a task after the change commits."""
    for line_id, seat in sorted(set(seats)):
        emails.send_access_given_email.enqueue(line_id, seat)


def _enqueue_ended(order: Order, grants: Iterable[Grant], reason: str) -> None:
    """One "access has ended" email per holder address of the order, listing all their seats."""
    for email in sorted({g.holder_email for g in grants if g.holder_email}):
        emails.send_access_ended_email.enqueue(order.pk, email, reason)


@transaction.atomic
def grant_access_for_order(order_id: int) -> str:
    """Create the order's missing grants: one per seat and product. The buyer holds the first seat of each
    line at once; other seats wait for the buyer to assign them. Safe to run any number of times."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if not access_is_due(order):
        return "not due"
    if order.adds_seats_to_id:  # seats added to a team number on after its seats (access.seat_numbers)
        Order.objects.select_for_update().filter(pk=order.adds_seats_to_id).first()
    now = timezone.now()
    existing = set(Grant.objects.filter(order=order).values_list("line_id", "seat", "product_id"))
    # A Bundle bought to complete what the buyer owns adds only the parts they do not hold yet.
    completes_bundle = order.lines.filter(adjustment_cents__gt=0).exists()
    already_held = (
        set(
            Grant.objects.filter(holder_email=order.email, state=Grant.State.ACTIVE)
            .exclude(order=order)
            .values_list("product_id", flat=True)
        )
        if completes_bundle and order.email
        else set()
    )
    new: list[Grant] = []
    for line in order.lines.select_related("product"):
        products = products_for_line(line)
        first = seat_numbers.first_seat(order, line)
        for seat in range(first, first + line.quantity):
            # Seats added to a team are all for others: the buyer holds a seat of the team order already.
            held_by_buyer = seat == 1 and bool(order.email) and order.adds_seats_to_id is None
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
    decision stands); each holder address is told once. Does nothing if access is due again by the time
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
    _enqueue_ended(order, grants, reason)
    states.note(order, "access", f"Access revoked ({reason}): {len(grants)} grant(s).", source="task")
    logger.info("order %s: %d grants revoked (%s)", order.reference, len(grants), reason)
    return "revoked"


@transaction.atomic
def restore_access_for_order(order_id: int) -> str:
    """Give back what a full refund took once that refund has failed or been cancelled and access is due
    again. Holders who were told their access ended get the access email once more."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if not access_is_due(order):
        return "not due"
    grants = list(
        Grant.objects.select_for_update().filter(
            order=order, state=Grant.State.REVOKED, revoked_reason__in=RESTORABLE
        )
    )
    if not grants:
        return "nothing to do"
    why = (
        "the invoice was paid after all"
        if all(g.revoked_reason == INVOICE_NOT_PAID for g in grants)
        else "the full refund did not go through"
    )
    _reinstate(grants)
    told = emails.told_access_ended(order)
    seats = sorted(
        {
            (g.line_id, g.seat)
            for g in grants
            if (emails.ENDED, g.holder_email) in told
            or (emails.revoked_purpose(g.line_id, g.seat), g.holder_email) in told
        }
    )
    again = secrets.token_hex(3)
    for line_id, seat in seats:
        emails.send_access_given_email.enqueue(line_id, seat, resend=again)
    states.note(order, "access", f"Access restored ({why}): {len(grants)} grant(s).", source="task")
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
        mine = [g for g in grants if g.order_id == order.pk]
        _enqueue_ended(order, mine, reason)
        states.note(order, "access", f"Access revoked ({reason}): {len(mine)} grant(s).", source=source)
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


@transaction.atomic
def resend_access_emails(grant_ids: Iterable[int], *, source: str) -> int:
    """Staff send the access email again to the holders of the chosen active grants: once per seat per
    click, through the email task. Returns how many emails were queued."""
    grants = Grant.objects.filter(pk__in=list(grant_ids), state=Grant.State.ACTIVE).exclude(holder_email="")
    seats = sorted({(g.order_id, g.line_id, g.seat, g.holder_email) for g in grants})
    click = secrets.token_hex(3)
    for _, line_id, seat, _ in seats:
        emails.send_access_given_email.enqueue(line_id, seat, resend=click)
    for order in Order.objects.filter(pk__in={order_id for order_id, *_ in seats}):
        emails_ = sorted({email for order_id, _, _, email in seats if order_id == order.pk})
        states.note(order, "access", f"Access email resent to {', '.join(emails_)}.", source=source)
    return len(seats)
