"""The Stripe webhook: verify the raw body, record the event id, route by type, answer.

2xx for events we handled, repeated or ignore; 4xx for bad input (nothing changes); 5xx when our own
handling failed (the event record rolls back with it, so Stripe's retry is processed afresh).
"""

import datetime
import logging
from collections.abc import Callable, Mapping
from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from checkout import services
from checkout.models import Order, StripeEvent
from checkout.stripe_client import verified_event

logger = logging.getLogger("checkout")

MAX_BODY_BYTES = 1024 * 1024

Handler = Callable[..., Order | None]

HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": services.fulfil_checkout_session,
    "checkout.session.async_payment_succeeded": services.fulfil_checkout_session,
    "checkout.session.async_payment_failed": services.fail_checkout_session,
    "checkout.session.expired": services.expire_checkout_session,
    "charge.refunded": services.record_refund,
}


def process_event(event: Mapping[str, Any]) -> str:
    """Record the event by id, then act on it once. Returns "processed", "duplicate" or "ignored".

    The record and the handler's changes commit together: if handling fails, the record rolls back too
    and Stripe's retry is processed afresh. A concurrent delivery of the same id waits on the unique
    index, then fails its insert and is answered as a duplicate.
    """
    event_id = event["id"]
    if StripeEvent.objects.filter(event_id=event_id).exists():
        return "duplicate"
    handler = HANDLERS.get(event["type"])
    created = event.get("created")
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(
                event_id=event_id,
                type=event["type"],
                created=datetime.datetime.fromtimestamp(created, tz=datetime.UTC) if created else None,
                payload=event,
            )
            if handler is None:
                return "ignored"
            order = handler(event["data"]["object"], source=event_id)
            if order is not None:
                record.order = order
                record.save(update_fields=["order"])
    except IntegrityError:
        if StripeEvent.objects.filter(event_id=event_id).exists():
            return "duplicate"
        raise
    return "processed"


def _looks_like_event(event: Mapping[str, Any]) -> bool:
    data = event.get("data")
    return (
        isinstance(event.get("id"), str)
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
    except stripe.SignatureVerificationError:
        return HttpResponse("Invalid signature.", status=400, content_type="text/plain")
    except ValueError:  # includes UnicodeDecodeError and json.JSONDecodeError
        return HttpResponse("Invalid payload.", status=400, content_type="text/plain")
    if event.get("livemode"):
        logger.warning(
            "refused live-mode Stripe event %s: this storefront runs in test mode", event.get("id")
        )
        return HttpResponse("Live-mode events are refused.", status=400, content_type="text/plain")
    if not _looks_like_event(event):
        return HttpResponse("Not a Stripe event.", status=400, content_type="text/plain")
    outcome = process_event(event)
    return HttpResponse(outcome, content_type="text/plain")
