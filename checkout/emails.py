"""The order confirmation email: sent once per order, however many times fulfilment runs."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from checkout.models import Order

logger = logging.getLogger("checkout")


def send_order_confirmation(order: Order) -> bool:
    """Send the confirmation (HTML and text) for an order whose `confirmation_sent_at` fulfilment has
    just claimed under the order's row lock; run it with `transaction.on_commit`.

    A failed send releases the claim, so the next fulfilment (the buyer's success page, say) tries again.
    """
    if not order.email:
        logger.warning("order %s: no buyer email, confirmation not sent", order.reference)
        _release_claim(order)
        return False
    lines = list(order.lines.all())
    context = {"order": order, "lines": lines, "site_url": settings.SITE_URL}
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
        _release_claim(order)
        return False
    logger.info("order %s: confirmation email sent", order.reference)
    return True


def _release_claim(order: Order) -> None:
    Order.objects.filter(pk=order.pk, confirmation_sent_at=order.confirmation_sent_at).update(
        confirmation_sent_at=None
    )
