"""Order emails, sent by background tasks: at most once per order, purpose and recipient.

The task claims an `EmailDelivery` row under the order's row lock, sends outside any transaction (with
`EMAIL_TIMEOUT`), then records the send, through the outbox (common.outbox): a failed send releases the
claim and raises, so the task retries; a claim older than `CLAIM_TIMEOUT` is taken over.
"""

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from checkout import consent, states
from checkout.models import EmailDelivery, Order
from checkout.receipts import (
    ADDED_SEATS_READY,
    added_seats_path,
    gives_kit,
    how_to_start,
    order_email_links,
    readiness,
)
from common.emails import email_message
from common.outbox import Busy, claim_row, deliver_once, release_row

logger = logging.getLogger("checkout")

CONFIRMATION = "order-confirmation"
CLAIM_TIMEOUT = dt.timedelta(minutes=10)


class EmailBusy(Busy):
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
        if delivery.claimed_at is not None and timezone.now() - delivery.claimed_at >= CLAIM_TIMEOUT:
            logger.warning("order %s: %s was never confirmed sent; sending again", order.reference, purpose)
        claim_row(delivery, timeout=CLAIM_TIMEOUT, busy=EmailBusy, what=f"{purpose} for {order.reference}")
        return order, delivery


def confirmation_message(order: Order) -> EmailMultiAlternatives:
    lines = list(order.lines.select_related("product"))
    # Seats added to a team order are all for colleagues: the buyer already has their own on that order.
    seats_path = added_seats_path(order)
    start = [] if seats_path else how_to_start(lines)
    context = {
        "order": order,
        "lines": lines,
        "start": start,
        "ready": ADDED_SEATS_READY if seats_path else readiness(start),
        "has_kit": gives_kit(start),
        "several_seats": any(line.quantity > 1 for line in lines) and not seats_path,
        "added_to": order.adds_seats_to if seats_path else None,
        "seats_url": f"{settings.SITE_URL}{seats_path}" if seats_path else "",
        "links": order_email_links(order, order.email, CONFIRMATION),
        "link_days": settings.PURCHASES_LINK_MAX_AGE_DAYS,
        "digital_consent": consent.text_for(order.digital_consent_version),
    }
    return email_message(
        "order_confirmation", context, to=[order.email], reply_to=[settings.ORDER_REPLY_TO_EMAIL]
    )


def send_once(
    order_id: int,
    purpose: str,
    build: Callable[[Order], EmailMultiAlternatives],
    recipient: str | None = None,
    label: str = "Email",
) -> str:
    """Send the email `build(order)` makes at most once per order, purpose and recipient (the buyer unless
    `recipient`; other apps' order emails use this too), through the outbox (common.outbox). Returns "sent"
    or "skipped"; raises when sending failed (the claim is released, so the task's retry sends it)."""

    def send(claimed: tuple[Order, EmailDelivery]) -> None:
        order, _ = claimed
        try:
            build(order).send()
        except Exception as exc:
            logger.warning("order %s: %s email failed: %s", order.reference, purpose, type(exc).__name__)
            raise

    def record(claimed: tuple[Order, EmailDelivery]) -> None:
        order, delivery = claimed
        with transaction.atomic():
            sent_at = timezone.now()
            EmailDelivery.objects.filter(pk=delivery.pk).update(sent_at=sent_at, last_error="")
            if purpose == CONFIRMATION:
                Order.objects.filter(pk=order.pk).update(confirmation_sent_at=sent_at)
            states.note(order, "email", f"{label} sent to {delivery.recipient}.", source="task")
        logger.info("order %s: %s email sent", order.reference, purpose)

    return deliver_once(
        claim=lambda: _claim(order_id, purpose, recipient),
        send=send,
        record=record,
        release=lambda claimed, exc: release_row(claimed[1], exc),
    )


def send_order_confirmation(order_id: int) -> str:
    return send_once(order_id, CONFIRMATION, confirmation_message, label="Confirmation")
