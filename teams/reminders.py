"""The buyer's reminders: one email to every holder of an order who has not started, at most once a day,
or a nudge to one holder (at most once a day per seat), through the outbox (one `EmailDelivery` per
holder, its purpose holding the date)."""

from django.db import transaction
from django.utils import timezone

from access.models import Grant
from checkout import states
from checkout.models import EmailDelivery, Order
from teams import seat_table, tasks
from teams.seat_batches import buyer_order
from teams.seats import team_order_ids


class RemindersRefused(Exception):
    """Nothing was sent; the message says why."""


def reminded_today(order: Order) -> bool:
    purpose = seat_table.reminder_purpose(timezone.localdate())
    return EmailDelivery.objects.filter(order_id__in=team_order_ids(order), purpose=purpose).exists()


@transaction.atomic
def remind_holders(*, reference: str, buyer_email: str) -> list[str]:
    """Queue one reminder to each holder who has not started; returns their addresses. Under the order's
    row lock, so two clicks (or two tabs) send one round."""
    order = buyer_order(reference, buyer_email, lock=True)
    if order is None:
        raise Order.DoesNotExist
    if reminded_today(order):
        raise RemindersRefused("Reminders already went out today; you can send the next round tomorrow.")
    rows = seat_table.seat_rows(order)
    due = seat_table.reminders_due(order, rows)
    if not due:
        raise RemindersRefused(seat_table.nobody_to_remind(order, rows))
    recipients = sorted({email for _, email in due})
    purpose = seat_table.reminder_purpose(timezone.localdate())
    # The rows exist from now on, so the page shows the reminder as sent and a second round waits a day.
    # Each is on the order holding the seat (seats added to the team are their own orders).
    EmailDelivery.objects.bulk_create(
        [EmailDelivery(order_id=order_id, purpose=purpose, recipient=email) for order_id, email in due]
    )
    for order_id, email in due:
        tasks.send_seat_reminder_email.enqueue(order_id, email, purpose)
    states.note(order, "access", f"Seat reminders queued for {', '.join(recipients)}.", source="buyer")
    return recipients


def nudge_purpose(day) -> str:
    """One nudge per holder per order per day: the outbox's unique purpose holds the date."""
    return f"{seat_table.NUDGE_PREFIX}{day.isoformat()}"


@transaction.atomic
def nudge_holder(*, grant_token: str, buyer_email: str) -> str:
    """Queue one reminder to the holder of one seat who has not started; returns their address. At most
    once a day per seat (RemindersRefused after that), whatever the round of reminders to everyone did."""
    grant = (
        Grant.objects.select_for_update()
        .filter(token=grant_token, order__email=buyer_email, state=Grant.State.ACTIVE)
        .exclude(order__email="")
        .exclude(holder_email="")
        .select_related("order")
        .first()
    )
    if grant is None:
        raise Grant.DoesNotExist
    if grant.holder_email == grant.order.email:
        raise RemindersRefused("That seat is yours: there is nobody to nudge.")
    # Only a holder who has not started (the rule the Nudge button and the weekly summary read).
    row = next(
        (
            r
            for r in seat_table.seat_rows(grant.order)
            if (r.line.pk, r.number) == (grant.line_id, grant.seat)
        ),
        None,
    )
    if row is None or not row.waiting_to_start:
        raise RemindersRefused(
            f"{grant.holder_email} has already started: there is nothing to nudge them about."
        )
    purpose = nudge_purpose(timezone.localdate())
    _, made = EmailDelivery.objects.get_or_create(
        order=grant.order, purpose=purpose, recipient=grant.holder_email
    )
    if not made:
        raise RemindersRefused(
            f"{grant.holder_email} was already nudged today; you can nudge them again tomorrow."
        )
    tasks.send_seat_reminder_email.enqueue(grant.order_id, grant.holder_email, purpose)
    states.note(grant.order, "access", f"Nudge queued for {grant.holder_email}.", source="buyer")
    return grant.holder_email
