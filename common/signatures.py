"""The `CPMA-Signature` header that signs the JSON the shop and the course platform send each other:
`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, the way Stripe signs its webhooks. The
enrolment webhook (access.enrolment) signs with it; the course-platform events (learning.webhook) verify it."""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "CPMA-Signature"
TOLERANCE_SECONDS = 300


class SignatureRefused(ValueError):
    """The header is missing, malformed, too old, from the future or does not match; the message says which."""


def _digest(body: bytes, secret: str, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """The header value for `body`, signed now (or at `timestamp`)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={_digest(body, secret, timestamp)}"


def verify(
    body: bytes,
    header: str | None,
    secret: str,
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: int | None = None,
) -> int:
    """The signed timestamp of `body` when `header` signs it with `secret` within `tolerance` seconds of
    `now`; raises SignatureRefused otherwise. Compared in constant time, on the raw bytes."""
    if not header:
        raise SignatureRefused(f"Missing {SIGNATURE_HEADER} header.")
    try:
        parts = dict(item.strip().split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        raise SignatureRefused(f"Malformed {SIGNATURE_HEADER} header: expected t=<unix>,v1=<hex>.") from None
    now = int(time.time()) if now is None else now
    if timestamp < now - tolerance:
        raise SignatureRefused(f"Signature timestamp is more than {tolerance} seconds old.")
    if timestamp > now + tolerance:
        raise SignatureRefused(f"Signature timestamp is more than {tolerance} seconds in the future.")
    if not hmac.compare_digest(given.encode(), _digest(body, secret, timestamp).encode()):
        raise SignatureRefused("Signature does not match the body.")
    return timestamp
