"""The buyer's nudge: one reminder email to every holder of an order who has not started, at most once a
day, through the outbox (one `EmailDelivery` per holder, its purpose holding the date)."""

from django.db import transaction
from django.utils import timezone

from checkout import states
from checkout.models import EmailDelivery, Order
from teams import seat_table, tasks
from teams.seat_batches import buyer_order


class RemindersRefused(Exception):
    """Nothing was sent; the message says why."""


def reminded_today(order: Order) -> bool:
    purpose = seat_table.reminder_purpose(timezone.localdate())
    return EmailDelivery.objects.filter(order=order, purpose=purpose).exists()


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
    recipients = seat_table.to_remind(order, rows)
    if not recipients:
        raise RemindersRefused(seat_table.nobody_to_remind(order, rows))
    purpose = seat_table.reminder_purpose(timezone.localdate())
    # The rows exist from now on, so the page shows the reminder as sent and a second round waits a day.
    EmailDelivery.objects.bulk_create(
        [EmailDelivery(order=order, purpose=purpose, recipient=email) for email in recipients]
    )
    for email in recipients:
        tasks.send_seat_reminder_email.enqueue(order.pk, email, purpose)
    states.note(order, "access", f"Seat reminders queued for {', '.join(recipients)}.", source="buyer")
    return recipients
