"""The reminder email: sent by a background task at most once (checkout.emails.send_once, the outbox),
checked again just before sending (the buyer may have paid or unsubscribed since the decision), with a
one-click unsubscribe (RFC 8058 headers and a link). It states today's price and the seat count."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from checkout.emails import send_once
from common.emails import email_message
from common.tasks import MAIL_QUEUE, retrying_task
from recovery import checks, links, way_back
from recovery.models import Reminder

logger = logging.getLogger("recovery")

PURPOSE = "recovery-reminder"


def reminder_message(reminder: Reminder) -> EmailMultiAlternatives:
    product = reminder.product
    unsubscribe = links.unsubscribe_url(reminder)
    # Today's price in the abandoned order's currency (checks.not_sold has made sure there is one).
    currency = reminder.order.currency
    unit_price = product.price_in(currency) or 0
    context = {
        "product": product,
        "seats": reminder.quantity,
        "team": reminder.quantity >= way_back.TEAM_SEATS,
        "unit_price_cents": unit_price,
        "total_cents": unit_price * reminder.quantity,
        "currency": currency,
        "way_back_url": links.way_back_url(reminder),
        "link_days": settings.RECOVERY_LINK_MAX_AGE_DAYS,
        "unsubscribe_url": unsubscribe,
    }
    message = email_message(
        "recovery/reminder", context, to=[reminder.email], reply_to=[settings.ORDER_REPLY_TO_EMAIL]
    )
    message.extra_headers.update(
        {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    )
    return message


def send(reminder_id: int) -> str:
    reminder = Reminder.objects.select_related("product", "order").get(pk=reminder_id)
    if reminder.decision != Reminder.Decision.SEND:
        return "not due"
    reason = checks.why_not_now(reminder)
    if reason and reminder.sent_at is None:
        with transaction.atomic():
            Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(
                decision=Reminder.Decision.SKIPPED, reason=reason
            )
        return "skipped"
    outcome = send_once(
        reminder.order_id,
        PURPOSE,
        lambda order: reminder_message(reminder),
        recipient=reminder.email,
        label="Checkout reminder",
    )
    if outcome == "sent":
        Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    return outcome


@retrying_task(queue=MAIL_QUEUE)
def send_reminder(reminder_id: int) -> str:
    return send(reminder_id)
