"""The email that tells finance (FINANCE_ALERT_EMAIL) an order was flagged for review: once per order and
reason, sent by a background task enqueued with the flag (payments.review)."""

import hashlib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from checkout.emails import send_once
from checkout.models import Order
from common.emails import email_message
from common.tasks import MAIL_QUEUE, retrying_task


def alert_purpose(reason: str) -> str:
    """One alert per order and reason (EmailDelivery's purpose holds at most 40 characters)."""
    return "review-alert-" + hashlib.sha256(reason.encode()).hexdigest()[:20]


def review_alert_message(order: Order, reason: str) -> EmailMultiAlternatives:
    path = reverse("admin:checkout_order_change", args=[order.pk])
    context = {"order": order, "reason": reason, "admin_url": f"{settings.SITE_URL}{path}"}
    return email_message("review_alert", context, to=[settings.FINANCE_ALERT_EMAIL])


def send_review_alert(order_id: int, reason: str) -> str:
    return send_once(
        order_id,
        alert_purpose(reason),
        lambda order: review_alert_message(order, reason),
        recipient=settings.FINANCE_ALERT_EMAIL,
        label="Review alert",
    )


@retrying_task(queue=MAIL_QUEUE)
def alert_finance(order_id: int, reason: str) -> str:
    """Tell FINANCE_ALERT_EMAIL that an order was flagged for review (once per order and reason)."""
    return send_review_alert(order_id, reason)
