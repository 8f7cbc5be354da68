"""The refund receipt: one email to the buyer per succeeded refund (once per refund, through the outbox),
saying how much, when, where the money goes, how long banks take and what happens to access.

Checkout knows the order, not the grants (access decides those and tells each holder whose access ends),
so the receipt words access from the order's money: refunded in full ends every seat of the order; a
partial refund ends nothing by itself. The receipt that brings the order to refunded in full is the buyer's
one email about it: access sends the buyer no "access has ended" of its own then (`refunded_in_full`), and
tells only the other holders. Card details are not shown: our records do not keep them."""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Sum

from checkout.emails import send_once
from checkout.models import Order
from checkout.receipts import how_to_start, order_email_links
from common import hooks
from common.emails import email_message
from common.tasks import MAIL_QUEUE, retrying_task
from payments.models import Refund

BANK_DAYS = "5 to 10 business days"
PURPOSE_PREFIX = "refund-receipt-"


def purpose(refund: Refund) -> str:
    """The outbox purpose of one refund's receipt (EmailDelivery.purpose holds 40 characters)."""
    return f"{PURPOSE_PREFIX}{refund.pk}"


@dataclass(frozen=True)
class RefundFigures:
    refunded_so_far_cents: int
    remains_cents: int
    seats: int

    @property
    def in_full(self) -> bool:
        return self.remains_cents <= 0


def _succeeded_cents(order: Order, **filters) -> int:
    """What the order's succeeded refunds add up to: only those are money back, and only those get a
    receipt (a pending one may still fail)."""
    refunds = order.refunds.filter(status="succeeded", **filters)
    return refunds.aggregate(total=Sum("amount_cents"))["total"] or 0


def figures(order: Order, refund: Refund) -> RefundFigures:
    """What the order's succeeded refunds up to and including this one add up to, and what remains paid."""
    so_far = _succeeded_cents(order, created__lte=refund.created)
    seats = sum(line.quantity for line in order.lines.all())
    return RefundFigures(so_far, max(order.total_cents - so_far, 0), seats)


def refunded_in_full(order: Order) -> bool:
    """Whether the order's succeeded refunds cover what it cost: then one refund receipt has told (or is
    about to tell) the buyer that access from the order ended."""
    refunded = _succeeded_cents(order)
    return refunded > 0 and refunded >= order.total_cents


def receipt_extras(refund: Refund) -> dict:
    """What the apps settings.REFUND_RECEIPT_EXTRAS names add to the receipt (payments imports none of them):
    the refund's credit note (credit_notes); for a VAT refund after a VAT number was added (corrections),
    the correction and who the receipt goes to instead of the buyer (`receipt_to`, `receipt_cc`)."""
    return hooks.merged("REFUND_RECEIPT_EXTRAS", refund)


def refund_receipt_message(
    order: Order, refund: Refund, extras: dict | None = None
) -> EmailMultiAlternatives:
    lines = list(order.lines.select_related("product"))
    extras = receipt_extras(refund) if extras is None else extras
    context = {
        "order": order,
        "refund": refund,
        "lines": lines,
        "figures": figures(order, refund),
        "has_kit": any(not step.is_course for step in how_to_start(lines)),
        "bank_days": BANK_DAYS,
        "links": order_email_links(order, order.email, "refund receipt"),
        **extras,
    }
    to = extras.get("receipt_to") or [order.email]
    return email_message(
        "refund_receipt",
        context,
        to=to,
        cc=extras.get("receipt_cc") or [],
        reply_to=[settings.ORDER_REPLY_TO_EMAIL],
    )


def send_receipt(refund_id: int) -> str:
    """The buyer's receipt for one succeeded refund, at most once."""
    refund = Refund.objects.filter(pk=refund_id, status="succeeded").first()
    if refund is None:
        return "skipped"
    extras = receipt_extras(refund)
    return send_once(
        refund.order_id,
        purpose(refund),
        lambda order: refund_receipt_message(order, refund, extras),
        recipient=(extras.get("receipt_to") or [None])[0],
        label="Refund receipt",
    )


@retrying_task(queue=MAIL_QUEUE)
def send_refund_receipt(refund_id: int) -> str:
    """The buyer's receipt for one succeeded refund (once per refund)."""
    return send_receipt(refund_id)
