"""The rules that stop a reminder: each in one place, read by the decision (recovery.decisions) and again
by the send (recovery.reminders), since the buyer may pay or unsubscribe in between."""

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from catalog.models import Product
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


def recent_decision(*, email: str, product_id: int) -> str:
    """A reminder sent to this buyer for this product within the window, or a holdout (which must stay
    unreminded for that long, or its return rate would no longer be the natural one); "" for neither."""
    window_start = timezone.now() - dt.timedelta(days=settings.RECOVERY_REMINDER_WINDOW_DAYS)
    decisions = Reminder.objects.filter(
        email=email,
        product_id=product_id,
        decision__in=[Reminder.Decision.SEND, Reminder.Decision.HELD_OUT],
        decided_at__gte=window_start,
    ).values_list("decision", flat=True)
    if Reminder.Decision.SEND in decisions:
        return "a reminder for this product went to this buyer recently"
    if decisions:
        return "this buyer was held out for this product recently"
    return ""


def not_sold(product: Product, currency: str) -> str:
    """Why the reminder's cart cannot be bought today ("" when it can): a reminder must not promise it."""
    if not (product.is_active and product.can_be_bought):
        return "the product cannot be bought at the moment"
    if not product.price_in(currency):
        return f"the product is no longer sold in {currency}"
    return ""


def why_not(order: Order, consent: RecoveryConsent, product_id: int) -> str:
    """Why no reminder may be decided for this expired session ("" when one may)."""
    if payers.has_payment_request(order):
        return "the order is a payment request's"
    if unsubscribed(consent.email):
        return "the buyer unsubscribed"
    if paid_since(email=consent.email, product_id=product_id, since=order.created_at):
        return "the buyer has paid for this product since"
    return recent_decision(email=consent.email, product_id=product_id) or not_sold(
        Product.objects.get(pk=product_id), order.currency
    )


def why_not_now(reminder: Reminder) -> str:
    """Why a decided reminder must not go out after all ("" when it still may)."""
    if unsubscribed(reminder.email):
        return "the buyer unsubscribed before it was sent"
    if paid_since(email=reminder.email, product_id=reminder.product_id, since=reminder.order.created_at):
        return "the buyer paid for this product before it was sent"
    return not_sold(reminder.product, reminder.order.currency)
