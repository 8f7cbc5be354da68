"""Webhook events as Stripe sends them: the event envelope and the `Stripe-Signature` header."""

import copy
import hashlib
import hmac
import itertools
import secrets
import time
from typing import Any


def sign_payload(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe would send: `t=<unix time>,v1=HMAC-SHA256(secret, "t.payload")`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


_event_numbers = itertools.count(1)


def make_event(
    event_type: str,
    data_object: dict[str, Any],
    *,
    event_id: str | None = None,
    livemode: bool = False,
    created: int | None = None,
) -> dict[str, Any]:
    """An Event in Stripe's shape wrapping `data_object` (a session or charge dict)."""
    return {
        "id": event_id or f"evt_test_{next(_event_numbers):06d}{secrets.token_hex(6)}",
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": int(time.time()) if created is None else created,
        "data": {"object": copy.deepcopy(data_object)},
        "livemode": livemode,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def make_charge(
    session: dict[str, Any], *, amount_refunded: int, refunded: bool | None = None
) -> dict[str, Any]:
    """The Charge behind a paid session, as `charge.refunded` carries it (`amount_refunded` is cumulative).

    Its metadata is the payment intent's metadata, which the app sets to the order reference.
    """
    amount = session["amount_total"]
    return {
        "id": f"ch_test_{secrets.token_hex(8)}",
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": amount_refunded,
        "captured": True,
        "currency": session["currency"],
        "livemode": False,
        "metadata": dict(session.get("_payment_intent_metadata") or session.get("metadata") or {}),
        "paid": True,
        "payment_intent": session.get("payment_intent"),
        "refunded": amount_refunded >= amount if refunded is None else refunded,
        "status": "succeeded",
    }
