"""Emails to holders and buyers. Access emails go at most once per seat, purpose and recipient through
checkout's claim pattern (`checkout.emails.send_once`); sign-in links go every time one is asked for."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from access import links
from access.models import Grant
from access.selectors import has_purchases
from checkout.emails import send_once
from checkout.models import Order


def _message(template: str, context: dict, to: str) -> EmailMultiAlternatives:
    context = {
        **context,
        "site_url": settings.SITE_URL,
        "purchases_url": settings.SITE_URL + reverse("access:purchases"),
    }
    subject = " ".join(render_to_string(f"email/access/{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"email/access/{template}.txt", context),
        to=[to],
        reply_to=[settings.ORDER_REPLY_TO_EMAIL] if settings.ORDER_REPLY_TO_EMAIL else None,
    )
    return message


def send_access_given(line_id: int, seat: int, resend: str = "") -> str:
    """The holder's access email, once per seat and holder; `resend` (one value per staff click) makes a
    new purpose, so a resend goes out once more, and its task's retries never send it twice."""
    grants = list(
        Grant.objects.filter(line_id=line_id, seat=seat, state=Grant.State.ACTIVE).select_related("product")
    )
    if not grants:
        return "skipped"
    holder = grants[0]

    def build(order: Order) -> EmailMultiAlternatives:
        context = {
            "order": order,
            "holder": holder,
            "grants": grants,
            "is_buyer": holder.holder_email == order.email,
        }
        return _message("access_given", context, holder.holder_email)

    # EmailDelivery.purpose holds 40 characters: the resend value is a short random hex.
    purpose = f"access-resend-{line_id}-{seat}-{resend}" if resend else f"access-given-{line_id}-{seat}"
    return send_once(holder.order_id, purpose=purpose, recipient=holder.holder_email, build=build)


def revoked_purpose(line_id: int, seat: int) -> str:
    """The EmailDelivery purpose of a seat's "access has ended" email."""
    return f"access-revoked-{line_id}-{seat}"


def send_access_revoked(line_id: int, seat: int, recipient: str) -> str:
    grants = list(
        Grant.objects.filter(
            line_id=line_id, seat=seat, holder_email=recipient, state=Grant.State.REVOKED
        ).select_related("product")
    )
    if not grants:
        return "skipped"

    def build(order: Order) -> EmailMultiAlternatives:
        return _message("access_revoked", {"order": order, "holder": grants[0], "grants": grants}, recipient)

    return send_once(
        grants[0].order_id, purpose=revoked_purpose(line_id, seat), recipient=recipient, build=build
    )


def send_sign_in_link(email: str) -> str:
    """Email a one-time sign-in link when the address has purchases; otherwise send nothing (the page
    answered the same either way)."""
    if not has_purchases(email):
        return "no purchases"
    token = links.sign_in_token(email)
    context = {
        "sign_in_url": settings.SITE_URL + reverse("access:sign_in", kwargs={"token": token}),
        "minutes": settings.SIGN_IN_LINK_MAX_AGE_SECONDS // 60,
    }
    _message("sign_in", context, email).send()
    return "sent"
