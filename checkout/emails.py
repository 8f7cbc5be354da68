"""Order emails, sent by background tasks: at most once per order, purpose and recipient.

The task claims an `EmailDelivery` row under the order's row lock, sends outside any transaction (with
`EMAIL_TIMEOUT`), then records the send. A failed send releases the claim and raises, so the task retries.
A claim older than `CLAIM_TIMEOUT` belongs to a worker that died between claiming and sending; the next
attempt takes it over.
"""

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from checkout import states
from checkout.models import EmailDelivery, Order

logger = logging.getLogger("checkout")

CONFIRMATION = "order-confirmation"
CLAIM_TIMEOUT = dt.timedelta(minutes=10)


class EmailBusy(Exception):
    """Another worker claimed this email moments ago; try again later."""


def _claim(order_id: int, purpose: str, recipient: str | None = None) -> tuple[Order, EmailDelivery] | None:
    """Claim the email for sending (to the buyer unless `recipient`); None when it was already sent or
    there is nobody to send it to."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        recipient = order.email if recipient is None else recipient
        if not recipient:
            logger.warning("order %s: no recipient email, %s not sent", order.reference, purpose)
            return None
        delivery, _ = EmailDelivery.objects.get_or_create(order=order, purpose=purpose, recipient=recipient)
        if delivery.sent_at is not None:
            return None
        now = timezone.now()
        if delivery.claimed_at is not None and now - delivery.claimed_at < CLAIM_TIMEOUT:
            raise EmailBusy(f"{purpose} for {order.reference} is being sent by another worker")
        if delivery.claimed_at is not None:
            logger.warning("order %s: %s was never confirmed sent; sending again", order.reference, purpose)
        delivery.claimed_at = now
        delivery.attempts += 1
        delivery.save(update_fields=["claimed_at", "attempts"])
        return order, delivery


def _release(delivery: EmailDelivery, exc: Exception) -> None:
    """A failed send gives the claim back so the task's next attempt sends it."""
    EmailDelivery.objects.filter(pk=delivery.pk, claimed_at=delivery.claimed_at).update(
        claimed_at=None, last_error=f"{type(exc).__name__}: {exc}"[:2000]
    )


def confirmation_message(order: Order) -> EmailMultiAlternatives:
    lines = list(order.lines.all())
    context = {"order": order, "lines": lines, "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string("email/order_confirmation_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("email/order_confirmation.txt", context),
        to=[order.email],
        reply_to=[settings.ORDER_REPLY_TO_EMAIL] if settings.ORDER_REPLY_TO_EMAIL else None,
    )
    message.attach_alternative(render_to_string("email/order_confirmation.html", context), "text/html")
    return message


def send_once(
    order_id: int,
    purpose: str,
    build: Callable[[Order], EmailMultiAlternatives],
    recipient: str | None = None,
    label: str = "Email",
) -> str:
    """Send the email `build(order)` makes at most once per order, purpose and recipient (the buyer unless
    `recipient`; other apps' order emails use this too). Returns "sent" or "skipped"; raises when sending
    failed (the claim is released, so the task's retry sends it)."""
    claimed = _claim(order_id, purpose, recipient)
    if claimed is None:
        return "skipped"
    order, delivery = claimed
    try:
        build(order).send()
    except Exception as exc:
        _release(delivery, exc)
        logger.warning("order %s: %s email failed: %s", order.reference, purpose, type(exc).__name__)
        raise
    with transaction.atomic():
        sent_at = timezone.now()
        EmailDelivery.objects.filter(pk=delivery.pk).update(sent_at=sent_at, last_error="")
        if purpose == CONFIRMATION:
            Order.objects.filter(pk=order.pk).update(confirmation_sent_at=sent_at)
        states.note(order, "email", f"{label} sent to {delivery.recipient}.", source="task")
    logger.info("order %s: %s email sent", order.reference, purpose)
    return "sent"


def send_order_confirmation(order_id: int) -> str:
    return send_once(order_id, CONFIRMATION, confirmation_message, label="Confirmation")


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
    from checkout.review import alert_purpose

    return send_once(
        order_id,
        alert_purpose(reason),
        lambda order: review_alert_message(order, reason),
        recipient=settings.FINANCE_ALERT_EMAIL,
        label="Review alert",
    )
