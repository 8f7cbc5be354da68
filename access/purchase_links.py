"""Personal links to the purchases page carried by every order email (the confirmation, each access email,
the refund receipt): one click from the email to a page with one button that signs in.

Unlike the 30-minute sign-in link (access.links) a personal link works many times, for
PURCHASES_LINK_MAX_AGE_DAYS (at least 30; every later email carries a fresh one), for one order and one
address. Each is a row holding only a hash of its random token, so staff can revoke the links of an order
or of an address, and a leaked database reveals no working link. A GET only shows the button (mail scanners
open links); the POST signs in. Once the order no longer gives that address access (refunded in full, a
dispute lost, the seat revoked or given away) the link shows the order's status and signs nobody in
(access.purchases_page decides that).
"""

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from access.models import PurchasesLink
from checkout.models import Order
from common.text import normalise_email


class LinkUnknown(Exception):
    """No link has this token (altered, cut short or made up)."""


class LinkRevoked(Exception):
    """Staff revoked this link."""


class LinkExpired(Exception):
    """The link is older than PURCHASES_LINK_MAX_AGE_DAYS."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(*, order: Order, email: str, sent_with: str = "") -> str:
    """A new personal link for `email` on `order`; returns its token (stored only as a hash)."""
    token = secrets.token_urlsafe(32)
    PurchasesLink.objects.create(
        order=order,
        email=normalise_email(email),
        token_hash=_hash(token),
        sent_with=sent_with[:40],
        expires_at=timezone.now() + dt.timedelta(days=settings.PURCHASES_LINK_MAX_AGE_DAYS),
    )
    return token


def link_url(token: str) -> str:
    return settings.SITE_URL + reverse("access:open_link", kwargs={"token": token})


def links_for_email(*, order: Order, email: str, sent_with: str) -> dict[str, str]:
    """Checkout's emails get their links here (settings.ORDER_EMAIL_LINKS): the purchases page and the
    order on it, through one new personal link."""
    url = link_url(create_link(order=order, email=email, sent_with=sent_with))
    return {"purchases_url": url, "order_url": f"{url}?show=order"}


def read_link(token: str) -> PurchasesLink:
    """The link a token names; raises LinkUnknown, LinkRevoked or LinkExpired."""
    if not token or len(token) > 100:
        raise LinkUnknown
    link = PurchasesLink.objects.select_related("order").filter(token_hash=_hash(token)).first()
    if link is None:
        raise LinkUnknown
    if link.revoked_at is not None:
        raise LinkRevoked
    if link.expires_at <= timezone.now():
        raise LinkExpired
    return link


def record_use(link: PurchasesLink) -> None:
    PurchasesLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now(), uses=F("uses") + 1)


def revoke_links(link_ids: Iterable[int], *, by: str) -> int:
    """Staff revoke chosen links; returns how many were live."""
    live = PurchasesLink.objects.filter(pk__in=list(link_ids), revoked_at__isnull=True)
    return live.update(revoked_at=timezone.now(), revoked_by=by[:200])


def revoke_order_links(order_ids: Iterable[int], *, by: str) -> int:
    """Staff revoke every live link of these orders; returns how many."""
    live = PurchasesLink.objects.filter(order_id__in=list(order_ids), revoked_at__isnull=True)
    return live.update(revoked_at=timezone.now(), revoked_by=by[:200])


def revoke_address_links(emails: Iterable[str], *, by: str) -> int:
    """Staff revoke every live link of these addresses, on any order; returns how many."""
    addresses = {normalise_email(e) for e in emails} - {""}
    live = PurchasesLink.objects.filter(email__in=addresses, revoked_at__isnull=True)
    return live.update(revoked_at=timezone.now(), revoked_by=by[:200])
