"""The opt-out link in the weekly roster summary: signed (it names only the order), opened by GET to a
page with a button, acted on by POST only, so a mail scanner opening the link changes nothing."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from checkout.models import Order
from learning.models import SummaryOptOut

SALT = "learning.summary-opt-out"


def opt_out_url(order: Order) -> str:
    token = signing.dumps({"o": order.pk}, salt=SALT)
    return settings.SITE_URL + reverse("learning:summary_opt_out", kwargs={"token": token})


def order_of(token: str) -> Order | None:
    """The order a genuine opt-out token names; None for anything else (tampered, truncated, unknown)."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    order_id = value.get("o") if isinstance(value, dict) else None
    return Order.objects.filter(pk=order_id).first() if isinstance(order_id, int) else None


def opt_out(order: Order) -> None:
    SummaryOptOut.objects.get_or_create(order=order)


def opted_out(order: Order) -> bool:
    return SummaryOptOut.objects.filter(order=order).exists()
