"""The email that tells finance (FINANCE_ALERT_EMAIL) an order was flagged for review: once per order and
reason, sent by a background task enqueued with the flag (payments.review)."""

import hashlib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from checkout.emails import send_once
from checkout.models import Order
from common.tasks import retrying_task


def alert_purpose(reason: str) -> str:
    """One alert per order and reason (EmailDelivery's purpose holds at most 40 characters)."""
    return "review-alert-" + hashlib.sha256(reason.encode()).hexdigest()[:20]


def review_alert_message(order: Order, reason: str) -> EmailMultiAlternatives:
    path = reverse("admin:checkout_order_change", args=[order.pk])
    body = (
        f"Order {order.reference} was flagged for review.\n\n{reason}\n\n"
        f"Open it in admin: {settings.SITE_URL}{path}\n"
        "Resolve the flag there with a note once it is dealt with.\n"
    )
    return EmailMultiAlternatives(
        subject=f"Order {order.reference} needs review", body=body, to=[settings.FINANCE_ALERT_EMAIL]
    )


def send_review_alert(order_id: int, reason: str) -> str:
    return send_once(
        order_id,
        alert_purpose(reason),
        lambda order: review_alert_message(order, reason),
        recipient=settings.FINANCE_ALERT_EMAIL,
        label="Review alert",
    )


@retrying_task
def alert_finance(order_id: int, reason: str) -> str:
    """Tell FINANCE_ALERT_EMAIL that an order was flagged for review (once per order and reason)."""
    return send_review_alert(order_id, reason)
