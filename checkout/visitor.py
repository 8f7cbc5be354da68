"""The browser's checkout cookie: a random id, signed, that says which orders this browser started.

Set on the review page and at checkout start. The success page shows an order's buyer details only to the
browser whose cookie matches the order; anyone else holding the session id learns only that the payment was
received. A second Pay click from the same browser reuses the first order (checkout.services).
"""

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse

COOKIE_NAME = "cpma_checkout"
SALT = "checkout.visitor"
MAX_AGE_SECONDS = 90 * 24 * 3600


def visitor_id(request: HttpRequest) -> str:
    """This browser's checkout id, or "" when it has none (or a tampered or expired one)."""
    value = request.get_signed_cookie(COOKIE_NAME, default="", salt=SALT, max_age=MAX_AGE_SECONDS)
    return value if len(value) == 32 and value.isalnum() else ""


def ensure_visitor_id(request: HttpRequest) -> str:
    return visitor_id(request) or secrets.token_hex(16)


def remember_visitor(response: HttpResponse, visitor: str) -> HttpResponse:
    response.set_signed_cookie(
        COOKIE_NAME,
        visitor,
        salt=SALT,
        max_age=MAX_AGE_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response
