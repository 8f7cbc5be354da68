"""Who the purchases page is signed in as: one email address kept in the session, set only by a spent
sign-in link, a personal order link's button, or the success page of the browser that paid."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from checkout.models import Order
from common.text import normalise_email

SESSION_EMAIL = "access_email"


def signed_in_email(request: HttpRequest) -> str:
    return request.session.get(SESSION_EMAIL, "")


def sign_in(request: HttpRequest, email: str) -> None:
    """Sign this browser in to the purchases page of `email` (a new session key: no fixation)."""
    request.session.cycle_key()
    request.session[SESSION_EMAIL] = normalise_email(email)
    request.session.set_expiry(settings.PURCHASES_SESSION_SECONDS)


def sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_EMAIL, None)
    request.session.cycle_key()


def sign_in_paying_browser(request: HttpRequest, order: Order) -> str:
    """Checkout's success page calls this (settings.PAYING_BROWSER_SIGN_IN) for the browser that started the
    order's checkout: once money is received it is signed in as the buyer. Returns the purchases page's
    address, or "" when it was not signed in (no money yet, or no buyer address)."""
    email = normalise_email(order.email)
    if not order.money_received or not email:
        return ""
    if signed_in_email(request) != email:
        sign_in(request, email)
    return reverse("access:purchases")
