"""Reading one course-platform event: what it must name, checked before anything is stored. Each problem
is a `BadEvent` whose message tells the platform's developers what to fix."""

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from access.models import Grant
from catalog.models import Product
from common.signatures import TOLERANCE_SECONDS
from common.text import normalise_email, single_line
from learning.models import Certificate, CourseEvent

TYPES = set(CourseEvent.Type.values)
CERTIFICATE_TYPES = {CourseEvent.Type.CERTIFICATE_ISSUED, CourseEvent.Type.CERTIFICATE_REVOKED}
# Unix seconds from 2000 to 9999: anything else is not a time the platform meant.
EARLIEST, LATEST = 946_684_800, 253_402_300_799


class BadEvent(ValueError):
    """The event cannot be accepted as sent (4xx); `status` is 400 for its shape, 422 for what it names."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Event:
    event_id: str
    type: str
    happened_at: dt.datetime
    holder_email: str
    product: Product


def _text(data: dict, key: str, max_length: int = 255) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value or single_line(value, max_length) != value:
        raise BadEvent(f"`{key}` must be a non-empty single-line string of at most {max_length} characters.")
    return value


def _check_details(type_: str, data: dict) -> None:
    if type_ == CourseEvent.Type.PROGRESSED:
        percent = data.get("percent")
        if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
            raise BadEvent("`percent` must be a whole number from 0 to 100.")
    if type_ in CERTIFICATE_TYPES:
        certificate = data.get("certificate")
        if not isinstance(certificate, dict):
            raise BadEvent("`certificate` must be an object with an `id`.")
        _text(certificate, "id")
        if type_ == CourseEvent.Type.CERTIFICATE_ISSUED:
            try:
                dt.date.fromisoformat(certificate.get("issued") or data.get("issued") or "")
            except (TypeError, ValueError):
                raise BadEvent("`certificate.issued` must be a date as YYYY-MM-DD.") from None


def _check_certificate_owner(platform_id: str, email: str, product: Product) -> None:
    """A certificate stays with the holder and course it was first named with."""
    known = (
        Certificate.objects.filter(platform_id=platform_id).values_list("holder_email", "product_id").first()
    )
    if known is not None and known != (email, product.pk):
        raise BadEvent(
            f"Certificate {platform_id!r} belongs to another holder or course than this event names.",
            status=422,
        )


def read(data: Any) -> Event:
    """The event in `data` (parsed JSON), or BadEvent. Looks the holder and product up; writes nothing."""
    if not isinstance(data, dict):
        raise BadEvent("The body must be a JSON object.")
    event_id = _text(data, "id")
    type_ = data.get("event")
    if type_ not in TYPES:
        raise BadEvent(f"`event` must be one of: {', '.join(sorted(TYPES))}.")
    created = data.get("created")
    if isinstance(created, bool) or not isinstance(created, int) or not EARLIEST <= created <= LATEST:
        raise BadEvent("`created` must be the event's time in Unix seconds.")
    # A time ahead of ours would outrank every real event after it (the latest issue or revocation wins).
    if created > time.time() + TOLERANCE_SECONDS:
        raise BadEvent("`created` is in the future: it must be when the event happened.")
    holder, product = data.get("holder"), data.get("product")
    if not isinstance(holder, dict) or not isinstance(product, dict):
        raise BadEvent("`holder` and `product` must be objects naming `email` and `slug`.")
    email = normalise_email(holder.get("email"))
    if not email:
        raise BadEvent("`holder.email` must be an email address.")
    slug = _text(product, "slug", 100)
    _check_details(type_, data)
    found = Product.objects.filter(slug=slug).first()
    if found is None:
        raise BadEvent(f"No product with the slug {slug!r}.", status=422)
    grants = Grant.objects.filter(holder_email=email, product=found)
    grant_id = data.get("grant")
    if grant_id is not None:
        if isinstance(grant_id, bool) or not isinstance(grant_id, int):
            raise BadEvent("`grant` must be the grant id the enrolment webhook sent.")
        grants = grants.filter(pk=grant_id)
    if not grants.exists():
        raise BadEvent(
            f"Nobody with that address holds or held a seat of {slug!r} (or that grant).", status=422
        )
    if type_ in CERTIFICATE_TYPES:
        _check_certificate_owner(data["certificate"]["id"], email, found)
    return Event(
        event_id=event_id,
        type=type_,
        happened_at=dt.datetime.fromtimestamp(created, tz=dt.UTC),
        holder_email=email,
        product=found,
    )
