"""The Stripe webhook: verify the raw body, record the event id, enqueue its handling, answer.

No network I/O besides the database: the background task `handle_stripe_event` fetches the current state
from Stripe and converges the order. 2xx for events we accepted, repeated or ignore; 4xx for bad input
(nothing changes); 5xx when recording failed (nothing was written, so Stripe's retry starts afresh).
"""

import datetime
import logging
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from checkout.stripe_client import verified_event
from checkout.stripe_gateway import SignatureError
from common.text import single_line, without_nul
from payments import tasks
from payments.events import handler_for
from payments.models import StripeEvent

logger = logging.getLogger("checkout")

MAX_BODY_BYTES = 1024 * 1024
# JSON can carry NUL and lone surrogates only as escapes, so a body without them needs no cleaning pass.
ESCAPES_THE_DATABASE_REFUSES = re.compile(rb"\\u(?:0000|[dD][89abAB])")


def process_event(event: Mapping[str, Any], *, needs_cleaning: bool = True) -> str:
    """Record the event by id and enqueue its handling, together. Returns "processed", "duplicate" or
    "ignored".

    A redelivery, or a concurrent delivery of the same id (which waits on the unique index), fails its
    insert and is answered as a duplicate: one statement for a first delivery, no lookup before it. The task
    row and the event row commit or roll back as one.
    """
    event_id = single_line(event["id"], 255)
    created = event.get("created")
    handled = handler_for(event["type"]) is not None
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(
                event_id=event_id,
                type=single_line(event["type"], 100),
                created=datetime.datetime.fromtimestamp(created, tz=datetime.UTC)
                if isinstance(created, int) and 0 < created < 253_402_300_800
                else None,
                handled_at=None if handled else datetime.datetime.now(tz=datetime.UTC),
                payload=without_nul(event) if needs_cleaning else event,
            )
            if handled:
                tasks.handle_stripe_event.enqueue(record.pk)
    except IntegrityError:
        if StripeEvent.objects.filter(event_id=event_id).exists():
            return "duplicate"
        raise
    return "processed" if handled else "ignored"


def looks_like_event(event: Mapping[str, Any]) -> bool:
    """An event we can record by its id as it is: an id too long for the log, or one with characters the
    log would drop, is refused rather than stored altered (it could then match another event's id)."""
    data = event.get("data")
    return (
        isinstance(event.get("id"), str)
        and 0 < len(event["id"]) <= 255
        and single_line(event["id"], 255) == event["id"]
        and isinstance(event.get("type"), str)
        and isinstance(data, dict)
        and isinstance(data.get("object"), dict)
    )


def _too_large(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES
    except ValueError:
        return False


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    if _too_large(request):
        return HttpResponse("Payload too large.", status=413, content_type="text/plain")
    try:
        payload = request.body
    except RequestDataTooBig:
        return HttpResponse("Payload too large.", status=413, content_type="text/plain")
    if len(payload) > MAX_BODY_BYTES:
        return HttpResponse("Payload too large.", status=413, content_type="text/plain")
    if not settings.STRIPE_WEBHOOK_SECRET:
        logger.error("Stripe webhook received but STRIPE_WEBHOOK_SECRET is not set")
        return HttpResponse("Webhook not configured.", status=503, content_type="text/plain")
    try:
        event = verified_event(payload, request.headers.get("Stripe-Signature"))
    except SignatureError:
        return HttpResponse("Invalid signature.", status=400, content_type="text/plain")
    except ValueError:  # includes UnicodeDecodeError and json.JSONDecodeError
        return HttpResponse("Invalid payload.", status=400, content_type="text/plain")
    if event.get("livemode"):
        logger.warning(
            "refused live-mode Stripe event %s: this storefront runs in test mode", event.get("id")
        )
        return HttpResponse("Live-mode events are refused.", status=400, content_type="text/plain")
    if not looks_like_event(event):
        return HttpResponse("Not a Stripe event.", status=400, content_type="text/plain")
    outcome = process_event(event, needs_cleaning=bool(ESCAPES_THE_DATABASE_REFUSES.search(payload)))
    return HttpResponse(outcome, content_type="text/plain")


# Read by the request-body limit (config/request_body.py), which refuses a larger body before reading it.
stripe_webhook.max_body_bytes = MAX_BODY_BYTES
