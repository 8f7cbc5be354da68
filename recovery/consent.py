"""Asking for the reminder: the checkbox and email field on checkout's review page
(settings.REVIEW_PAGE_EXTRAS), and what the start of checkout does with the answer
(settings.CHECKOUT_START_HOOKS): store the consent with its wording and time, and ask Stripe for a
recovery link and a shorter session. Unticked (the default) means no consent, and no email ever."""

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from catalog.models import Product
from checkout.models import Order
from checkout.services import StartRefused
from common.text import normalise_email
from recovery.models import RecoveryConsent

CONSENT_FIELD = "recovery_consent"
EMAIL_FIELD = "recovery_email"
# The checkbox's words, and their version: a consent is stored with the version the buyer saw.
CONSENT_TEXT = "Email me a reminder if I don't finish"
CONSENT_VERSION = "reminder-v2"  # v2: the hint says when, and "at most once"


def review_context(*, request: HttpRequest, product: Product, visitor: str, seats: int | None) -> dict:
    return {
        "buy_form_parts": ["recovery/_consent.html"],
        "recovery_session_length": session_length(),
        "recovery_consent_text": CONSENT_TEXT,
        "recovery_consent_field": CONSENT_FIELD,
        "recovery_email_field": EMAIL_FIELD,
    }


def session_length() -> str:
    """How long the payment page stays open for a buyer who asked for a reminder, in words."""
    minutes = settings.CHECKOUT_SESSION_MINUTES
    if minutes % 60:
        return f"{minutes} minutes"
    return "1 hour" if minutes == 60 else f"{minutes // 60} hours"


def session_params() -> dict[str, Any]:
    """What a session started with consent asks of Stripe: a recovery link and an earlier end."""
    expires = timezone.now() + dt.timedelta(minutes=settings.CHECKOUT_SESSION_MINUTES)
    return {
        "after_expiration": {
            "recovery": {"enabled": True, "allow_promotion_codes": settings.RECOVERY_ALLOW_PROMOTION_CODES}
        },
        "expires_at": int(expires.timestamp()),
    }


def withdraw(order: Order) -> dict[str, Any]:
    """An unticked box: no consent on this order, also when the same browser's second Pay reuses an order
    whose first Pay had it ticked (the buyer's latest answer counts). No reminder has been decided yet: the
    order is pending while its buyer presses Pay."""
    RecoveryConsent.objects.filter(order=order, reminder__isnull=True).delete()
    return {}


def checkout_start(data: Mapping[str, Any]) -> Callable[[Order], dict[str, Any]]:
    """Read the review form's answer (raising StartRefused for a ticked box without a usable address);
    return what to do once the pending order exists: record the consent and give the extra parameters."""
    if data.get(CONSENT_FIELD) != "yes":
        return withdraw
    raw = str(data.get(EMAIL_FIELD, ""))
    email = normalise_email(raw) if len(raw) <= 254 else ""
    if not email:
        raise StartRefused(
            "To get a reminder, enter the email address it should go to (or untick the reminder box)."
        )

    def consent(order: Order) -> dict[str, Any]:
        RecoveryConsent.objects.get_or_create(
            order=order,
            defaults={"email": email, "text_version": CONSENT_VERSION, "consented_at": timezone.now()},
        )
        return session_params()

    return consent
