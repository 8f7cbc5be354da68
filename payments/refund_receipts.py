"""The refund receipt: one email to the buyer per succeeded refund (once per refund, through the outbox),
saying how much, when, where the money goes, how long banks take and what happens to access.

Checkout knows the order, not the grants (access decides those and tells each holder whose access ends),
so the receipt words access from the order's money: refunded in full ends every seat of the order; a
partial refund ends nothing by itself. Card details are not shown: our records do not keep them."""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Sum
from django.template.loader import render_to_string

from checkout.emails import send_once
from checkout.models import Order
from checkout.receipts import order_email_links
from common.tasks import retrying_task
from payments.models import Refund

BANK_DAYS = "5 to 10 business days"


def purpose(refund: Refund) -> str:
    """The outbox purpose of one refund's receipt (EmailDelivery.purpose holds 40 characters)."""
    return f"refund-receipt-{refund.pk}"


@dataclass(frozen=True)
class RefundFigures:
    refunded_so_far_cents: int
    remains_cents: int
    seats: int

    @property
    def in_full(self) -> bool:
        return self.remains_cents <= 0


def figures(order: Order, refund: Refund) -> RefundFigures:
    """What the order's succeeded refunds up to and including this one add up to, and what remains paid."""
    so_far = (
        order.refunds.filter(status="succeeded", created__lte=refund.created).aggregate(
            total=Sum("amount_cents")
        )["total"]
        or 0
    )
    seats = sum(line.quantity for line in order.lines.all())
    return RefundFigures(so_far, max(order.total_cents - so_far, 0), seats)


def refund_receipt_message(order: Order, refund: Refund) -> EmailMultiAlternatives:
    lines = list(order.lines.all())
    context = {
        "order": order,
        "refund": refund,
        "lines": lines,
        "figures": figures(order, refund),
        "bank_days": BANK_DAYS,
        "links": order_email_links(order, order.email, "refund receipt"),
        "site_url": settings.SITE_URL,
    }
    subject = " ".join(render_to_string("email/refund_receipt_subject.txt", context).split())
    return EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("email/refund_receipt.txt", context),
        to=[order.email],
        reply_to=[settings.ORDER_REPLY_TO_EMAIL] if settings.ORDER_REPLY_TO_EMAIL else None,
    )


def send_receipt(refund_id: int) -> str:
    """The buyer's receipt for one succeeded refund, at most once."""
    refund = Refund.objects.filter(pk=refund_id, status="succeeded").first()
    if refund is None:
        return "skipped"
    return send_once(
        refund.order_id,
        purpose(refund),
        lambda order: refund_receipt_message(order, refund),
        label="Refund receipt",
    )


@retrying_task
def send_refund_receipt(refund_id: int) -> str:
    """The buyer's receipt for one succeeded refund (once per refund)."""
    return send_receipt(refund_id)
