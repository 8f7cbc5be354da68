"""Signed links that belong to no user: sign-in links for the purchases page (30 minutes, single use) and
kit download links (24 hours by default). Django's signing, keyed by SECRET_KEY with a salt per purpose,
so a link of one kind is never accepted as the other. Also the throttle on sign-in link requests."""

import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.utils import timezone

from access.models import Grant, KitFile, SignInLink
from common import throttle
from common.text import normalise_email

SIGN_IN_SALT = "access.sign-in"
DOWNLOAD_SALT = "access.download"


class LinkExpired(Exception):
    """The link was genuine but is too old (or was already used)."""


class LinkInvalid(Exception):
    """The link was altered, truncated or made up."""


class LinkUsed(LinkExpired):
    """A single-use link that has already been used."""


class GrantRevoked(Exception):
    """The link is genuine but the access behind it was revoked."""


class SeatGivenAway(GrantRevoked):
    """The link is genuine but the seat has since been given to someone else."""


def unsign(token: str, salt: str, max_age: int) -> dict:
    """The value of a genuine link signed with `salt` no older than `max_age` seconds (for any
    signed link that belongs to no user); raises LinkExpired or LinkInvalid."""
    try:
        value = signing.TimestampSigner(salt=salt).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        raise LinkInvalid from None
    if not isinstance(value, dict):
        raise LinkInvalid
    return value


def sign_in_token(email: str) -> str:
    """A link that names a random nonce, not the address: the address stays on the server (SignInLink)."""
    link = SignInLink.objects.create(nonce=secrets.token_urlsafe(16), email=normalise_email(email))
    return signing.TimestampSigner(salt=SIGN_IN_SALT).sign_object({"n": link.nonce})


def read_sign_in_token(token: str) -> tuple[str, str]:
    """(email, nonce) for a genuine, fresh, unused sign-in link; raises LinkExpired, LinkUsed or LinkInvalid."""
    value = unsign(token, SIGN_IN_SALT, settings.SIGN_IN_LINK_MAX_AGE_SECONDS)
    nonce = value.get("n")
    link = SignInLink.objects.filter(nonce=nonce).first() if isinstance(nonce, str) and nonce else None
    if link is None:
        raise LinkInvalid
    if link.used_at is not None:
        raise LinkUsed
    return link.email, link.nonce


def use_sign_in_token(token: str) -> str:
    """Spend a sign-in link and return its email; a second use (even a concurrent one) raises LinkUsed."""
    email, nonce = read_sign_in_token(token)
    if not SignInLink.objects.filter(nonce=nonce, used_at__isnull=True).update(used_at=timezone.now()):
        raise LinkUsed
    return email


def download_token(grant: Grant, kit_file: KitFile) -> str:
    # The holder is part of the link: a seat given to someone else stops the previous holder's links.
    value = {"g": grant.pk, "f": kit_file.pk, "h": _holder_key(grant.holder_email)}
    return signing.TimestampSigner(salt=DOWNLOAD_SALT).sign_object(value)


def _holder_key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()[:16]


def read_download_token(token: str) -> tuple[Grant, KitFile]:
    """The grant and file a genuine, fresh download link names; raises LinkExpired, LinkInvalid, or
    GrantRevoked when the access has been taken away since the link was made."""
    value = unsign(token, DOWNLOAD_SALT, settings.DOWNLOAD_LINK_MAX_AGE_SECONDS)
    grant = Grant.objects.filter(pk=value.get("g")).first() if isinstance(value.get("g"), int) else None
    kit_file = KitFile.objects.filter(pk=value.get("f")).first() if isinstance(value.get("f"), int) else None
    if grant is None or kit_file is None or kit_file.product_id != grant.product_id:
        raise LinkInvalid
    if grant.state != Grant.State.ACTIVE:
        raise GrantRevoked
    if value.get("h") != _holder_key(grant.holder_email):
        raise SeatGivenAway
    return grant, kit_file


def sign_in_request_allowed(email: str, client_ip: str) -> bool:
    """Count one request for a sign-in link; False when this email or this client address has asked too
    often within the window. The count is the same whether or not the email has orders."""
    window = settings.SIGN_IN_THROTTLE_WINDOW_SECONDS
    email_key = hashlib.sha256(normalise_email(email).encode()).hexdigest()
    by_email = throttle.count(f"access:sign-in:email:{email_key}", window)
    by_ip = throttle.count(f"access:sign-in:ip:{client_ip}", window)
    return by_email <= settings.SIGN_IN_LIMIT_PER_EMAIL and by_ip <= settings.SIGN_IN_LIMIT_PER_IP
