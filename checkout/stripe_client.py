"""The one place that builds a Stripe client, so every call shares the key, address, timeout and retries, and
verifies a webhook body's signature. The calls themselves are checkout.stripe_gateway's."""

import functools
import json
import re
import time
from typing import Any

import stripe
from django.conf import settings

# What every read of a Checkout Session expands: the money (intent and its charge) and the invoice.
SESSION_EXPAND = ["payment_intent", "payment_intent.latest_charge", "invoice", "total_details.breakdown"]


def checkout_enabled() -> bool:
    """Checkout needs a secret key; without one the storefront runs and says checkout is not configured."""
    return bool(settings.STRIPE_SECRET_KEY)


def stripe_client() -> stripe.StripeClient:
    """A client for the configured Stripe-compatible server (Stripe, stripe-mock or the tests' fake)."""
    return _client(
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_API_BASE,
        settings.STRIPE_MAX_NETWORK_RETRIES,
        settings.STRIPE_TIMEOUT_SECONDS,
    )


@functools.lru_cache(maxsize=4)
def _client(secret_key: str, api_base: str, max_network_retries: int, timeout: float) -> stripe.StripeClient:
    # Kept per configuration so its HTTP connections (TLS to Stripe) are reused across requests; the
    # stripe library's RequestsClient keeps one session per thread. Keyed on the settings, which tests change.
    return stripe.StripeClient(
        secret_key,
        base_addresses={"api": api_base},
        max_network_retries=max_network_retries,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


def verified_event(payload: bytes, signature_header: str | None) -> dict[str, Any]:
    """The webhook body as a dict, after the stripe library has checked its signature (default 300 s
    tolerance).

    Raises stripe.SignatureVerificationError for a bad, missing, stale or future-dated signature and ValueError for a
    body that is not a JSON object. (Verifying, then parsing with json, skips building StripeObjects that
    the handlers would only turn back into dicts.)
    """
    tolerance = stripe.Webhook.DEFAULT_TOLERANCE
    stripe.WebhookSignature.verify_header(
        payload, signature_header, settings.STRIPE_WEBHOOK_SECRET, tolerance
    )
    # The library only refuses old timestamps; a signature dated further ahead than the tolerance is
    # refused too, so a captured request cannot be kept for replay later.
    signed_at = re.search(r"(?:^|,)t=(\d{1,12})(?:,|$)", signature_header or "")
    if signed_at is None or int(signed_at.group(1)) > time.time() + tolerance:
        raise stripe.SignatureVerificationError(
            "Timestamp is too far in the future.", signature_header, payload
        )
    event = json.loads(payload)
    if not isinstance(event, dict):
        raise ValueError("A Stripe event is a JSON object.")
    return event
