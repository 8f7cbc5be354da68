"""The buyer's link to a payment request's status page, in the copy of the request they are emailed: it
opens the page in any browser, not only the one the request was sent from, for
PAYMENT_REQUEST_STATUS_LINK_MAX_AGE_DAYS. The key is signed with its time over the order's reference and
random token (neither the token nor the buyer's address travels in the URL), so a guessed reference opens
nothing and an old link stops working. An expired link says so and offers a fresh one, emailed only to the
buyer's own address; the page reads the same whatever the reference, so it never tells whether the order
exists."""

import re
import time

from django.conf import settings
from django.core import signing
from django.urls import reverse

from checkout.models import Order

STATUS_LINK_SALT = "invoicing.buyer-status.v2"
# The first links were an untimed signature (Signer.signature: 43 URL-safe characters): they count as expired.
UNTIMED_KEY = re.compile(r"[A-Za-z0-9_-]{43}")
TIMED_KEY = re.compile(r"([0-9A-Za-z]{1,12}):[A-Za-z0-9_-]{43}")

FRESH = "fresh"
EXPIRED = "expired"
INVALID = "invalid"


def _max_age() -> int:
    return settings.PAYMENT_REQUEST_STATUS_LINK_MAX_AGE_DAYS * 86400


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=STATUS_LINK_SALT)


def _signed_value(order: Order) -> str:
    return f"{order.reference}:{order.token}"


def status_key(order: Order) -> str:
    """The key of a new link: its time and signature ("<time>:<signature>"), the signed value left out."""
    return _signer().sign(_signed_value(order)).removeprefix(f"{_signed_value(order)}:")


def status_link(order: Order) -> str:
    path = reverse("invoicing:request_status", args=[order.reference])
    return f"{settings.SITE_URL}{path}?key={status_key(order)}"


def key_state(order: Order | None, key: str) -> str:
    """FRESH for a genuine key of `order` younger than the limit; EXPIRED for a key shaped like ours that is
    older (checked before its signature, so the answer is the same for any reference, real or not), or for
    a link of the first, untimed kind; INVALID otherwise."""
    if UNTIMED_KEY.fullmatch(key):
        return EXPIRED
    shaped = TIMED_KEY.fullmatch(key)
    if shaped is None:
        return INVALID
    try:
        signed_at = signing.b62_decode(shaped.group(1))
    except ValueError:
        return INVALID
    if time.time() - signed_at > _max_age():
        return EXPIRED
    if order is None:
        return INVALID
    try:
        _signer().unsign(f"{_signed_value(order)}:{key}", max_age=_max_age())
    except signing.BadSignature:  # SignatureExpired included: it expired between the two looks
        return INVALID
    return FRESH
