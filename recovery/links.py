"""The reminder's two links. The way back is signed over the reminder's random token and expires after
RECOVERY_LINK_MAX_AGE_DAYS; the unsubscribe link is signed over the same token and never expires (an old
email must still unsubscribe). Neither carries the buyer's address, and a GET of either changes nothing: the
pages ask for a press (the one-click POST of RFC 8058 aside)."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from recovery.models import Reminder

WAY_BACK_SALT = "recovery.way-back.v1"
UNSUBSCRIBE_SALT = "recovery.unsubscribe.v1"


def way_back_url(reminder: Reminder) -> str:
    key = signing.dumps(reminder.token, salt=WAY_BACK_SALT, compress=False)
    return f"{settings.SITE_URL}{reverse('recovery:way_back', args=[key])}"


def reminder_for_key(key: str) -> tuple[Reminder | None, bool]:
    """The reminder a way-back key names, and whether the key has expired (then no reminder)."""
    max_age = settings.RECOVERY_LINK_MAX_AGE_DAYS * 86400
    try:
        token = signing.loads(key[:300], salt=WAY_BACK_SALT, max_age=max_age)
    except signing.SignatureExpired:
        return None, True
    except signing.BadSignature:
        return None, False
    if not isinstance(token, str):
        return None, False
    return Reminder.objects.select_related("product").filter(token=token).first(), False


def unsubscribe_url(reminder: Reminder) -> str:
    key = signing.Signer(salt=UNSUBSCRIBE_SALT).sign(reminder.token)
    return f"{settings.SITE_URL}{reverse('recovery:unsubscribe', args=[key])}"


def email_for_unsubscribe_key(key: str) -> str:
    """The address the unsubscribe key was made for ("" for a forged or mangled key)."""
    try:
        token = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(key[:300])
    except signing.BadSignature:
        return ""
    return Reminder.objects.filter(token=token).values_list("email", flat=True).first() or ""
