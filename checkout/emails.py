"""The order confirmation email: sent once per order, however many times fulfilment runs."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from checkout.models import Order

logger = logging.getLogger("checkout")


def send_order_confirmation(order_id: int) -> bool:
    """Claim the order's confirmation with one conditional UPDATE, then send it (HTML and text).

    The claim makes concurrent callers safe: only the one whose UPDATE matched sends. A failed send
    releases the claim, so the next fulfilment (a success-page visit, say) tries again.
    """
    claimed = Order.objects.filter(
        pk=order_id, status=Order.Status.PAID, confirmation_sent_at__isnull=True
    ).update(confirmation_sent_at=timezone.now())
    if not claimed:
        return False
    order = Order.objects.prefetch_related("lines").get(pk=order_id)
    if not order.email:
        logger.warning("order %s: no buyer email, confirmation not sent", order.reference)
        Order.objects.filter(pk=order_id).update(confirmation_sent_at=None)
        return False
    context = {"order": order, "lines": list(order.lines.all()), "site_url": settings.SITE_URL}
    subject = render_to_string("email/order_confirmation_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("email/order_confirmation.txt", context),
        to=[order.email],
    )
    message.attach_alternative(render_to_string("email/order_confirmation.html", context), "text/html")
    try:
        message.send()
    except Exception:
        logger.exception(
            "order %s: confirmation email failed; will retry on the next fulfilment", order.reference
        )
        Order.objects.filter(pk=order_id).update(confirmation_sent_at=None)
        return False
    logger.info("order %s: confirmation email sent", order.reference)
    return True
