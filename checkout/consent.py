"""The EU digital-content consent: a buyer of content that starts at once must expressly agree to it
starting now and acknowledge that the 14-day right of withdrawal ends when it does. Every path that takes a
consumer's money asks it, unticked, before Stripe's page: the review page (everyone: the country is not
known before Stripe's page), the Bundle completion, seats added to a team order, the way back from a
checkout reminder, and a payment request's "Pay by card now" when the request names no tax ID
(invoicing.requests.card_needs_consent). The order keeps the version ticked and when (`fields`, or `record`
with a history row), and the confirmation email repeats the words.

An invoice on terms to a company is a business purchase, outside the consumer right: it asks nothing.

A new wording gets a new VERSION, so an order always names the words its buyer agreed to.
"""

from django.utils import timezone

from checkout import states
from checkout.models import Order

VERSION = "2026-12-a"
TEXT = (
    "I want my access to start straight away. I understand that once it starts I lose the 14-day right to "
    "withdraw from the purchase; the academy's own guarantee still applies: a full refund if I ask within "
    "five days of paying, no questions asked."
)
# For a purchase whose access is someone else's (seats added for colleagues, a payer paying a buyer's
# request): the same agreement, in words that fit who ticks it.
FOR_OTHERS_VERSION = "2026-12-b"
FOR_OTHERS_TEXT = (
    "I want the access I am paying for to start straight away. I understand that once it starts the 14-day "
    "right to withdraw from the purchase ends; the academy's own guarantee still applies: a full refund if "
    "asked within five days of paying, no questions asked."
)
# Every wording ever shown, by version, so an order's email repeats the words its buyer ticked.
TEXTS = {VERSION: TEXT, FOR_OTHERS_VERSION: FOR_OTHERS_TEXT}
REQUIRED_MESSAGE = (
    "Tick the box to confirm that your access starts straight away: the academy cannot deliver the course "
    "or kit without it."
)
# For whoever pays for someone else's access (seats added for colleagues, a payer's card payment): no
# "your access", since the access is not theirs.
FOR_OTHERS_REQUIRED_MESSAGE = (
    "Tick the box to confirm that the access you are paying for starts straight away: the academy cannot "
    "deliver the course or kit without it."
)
FIELD = "digital_consent"


def text_for(version: str) -> str:
    return TEXTS.get(version, "")


def ticked(data) -> bool:
    """Whether a POST carries the ticked box (a checkbox sends its value only when ticked)."""
    return bool(data.get(FIELD))


def fields(version: str = VERSION) -> dict:
    """The order's consent fields for a box ticked now, for Order.objects.create(**...)."""
    if version not in TEXTS:
        raise ValueError(f"unknown consent wording {version!r}")
    return {"digital_consent_version": version, "digital_consent_at": timezone.now()}


def record(order: Order, version: str, *, source: str) -> None:
    """Store on `order` (the caller holds its row lock) that its buyer or payer ticked the box just now,
    with a history row naming the wording."""
    for name, value in fields(version).items():
        setattr(order, name, value)
    order.save(update_fields=["digital_consent_version", "digital_consent_at", "updated_at"])
    states.note(order, "consent", f"Digital-content consent ticked (wording {version}).", source=source)
