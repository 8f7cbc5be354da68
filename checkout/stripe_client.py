"""The one place that builds a Stripe client, so every call shares the key, address, timeout and retries."""

import stripe
from django.conf import settings


def checkout_enabled() -> bool:
    """Checkout needs a secret key; without one the storefront runs and says checkout is not configured."""
    return bool(settings.STRIPE_SECRET_KEY)


def stripe_client() -> stripe.StripeClient:
    """A client for the configured Stripe-compatible server (Stripe, stripe-mock or the tests' fake).

    Built per call: it is cheap, and tests change the settings between calls.
    """
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
    )


def verified_event(payload: bytes, signature_header: str | None) -> stripe.Event:
    """Parse a webhook body after checking its signature (default 300 s tolerance).

    Raises stripe.SignatureVerificationError for a bad, missing or stale signature and ValueError for a
    body that is not JSON.
    """
    return stripe.Webhook.construct_event(payload, signature_header, settings.STRIPE_WEBHOOK_SECRET)
