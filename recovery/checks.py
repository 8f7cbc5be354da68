"""The rules that stop a reminder: each in one place, read by the decision (recovery.decisions) and again
by the send (recovery.reminders), since the buyer may pay or unsubscribe in between."""

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from checkout import payers, states
from checkout.models import Order
from recovery.models import RecoveryConsent, Reminder, Unsubscribe


def paid_since(*, email: str, product_id: int, since: dt.datetime) -> bool:
    """Whether this buyer (by normalised address) has paid for the product, on any order, since `since`."""
    return Order.objects.filter(
        Q(email=email) | Q(recovery_consent__email=email),
        status__in=states.MONEY_RECEIVED,
        lines__product_id=product_id,
        paid_at__gte=since,
    ).exists()


def unsubscribed(email: str) -> bool:
    return Unsubscribe.objects.filter(email=email).exists()


def reminded_recently(*, email: str, product_id: int) -> bool:
    window_start = timezone.now() - dt.timedelta(days=settings.RECOVERY_REMINDER_WINDOW_DAYS)
    return Reminder.objects.filter(
        email=email, product_id=product_id, decision=Reminder.Decision.SEND, decided_at__gte=window_start
    ).exists()


def why_not(order: Order, consent: RecoveryConsent, product_id: int) -> str:
    """Why no reminder may be decided for this expired session ("" when one may)."""
    if payers.has_payment_request(order):
        return "the order is a payment request's"
    if unsubscribed(consent.email):
        return "the buyer unsubscribed"
    if paid_since(email=consent.email, product_id=product_id, since=order.created_at):
        return "the buyer has paid for this product since"
    if reminded_recently(email=consent.email, product_id=product_id):
        return "a reminder for this product went to this buyer recently"
    return ""


def why_not_now(reminder: Reminder) -> str:
    """Why a decided reminder must not go out after all ("" when it still may)."""
    if unsubscribed(reminder.email):
        return "the buyer unsubscribed before it was sent"
    if paid_since(email=reminder.email, product_id=reminder.product_id, since=reminder.order.created_at):
        return "the buyer paid for this product before it was sent"
    return ""
