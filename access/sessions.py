"""Who the purchases page is signed in as: one email address kept in the session, and how far that reaches.

A spent sign-in link (access.links, emailed to the address on request) signs in fully: every order and
seat of the address. A personal link's button (access.purchase_links, in order emails that may be
forwarded) signs in for that link's order only: the page shows that order and the address's own access on
it, and everything else asks for a full sign-in. So does the browser that paid (checkout's success page),
which may also hand out the seats of the order it paid. A sign-in link's address was proved just now; a
personal link only proves that someone has the email."""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from access.models import PurchasesLink
from checkout.models import Order
from common.text import normalise_email

SESSION_EMAIL = "access_email"
# Present only for a session limited to one order: {"order": id, "link": id or None, "seats": bool}.
SESSION_SCOPE = "access_scope"


@dataclass(frozen=True)
class Viewer:
    """The signed-in address, and the one order it is limited to (None: fully signed in)."""

    email: str
    order_id: int | None = None
    manages_seats: bool = False  # the browser that paid may hand out the seats of its order

    @property
    def full(self) -> bool:
        return self.order_id is None

    def sees(self, order_id: int) -> bool:
        return self.full or order_id == self.order_id

    def may_manage(self, order: Order) -> bool:
        """Whether this browser may change who holds the seats of `order` (the order is the address's)."""
        return self.full or (self.manages_seats and order.pk == self.order_id)


def viewer(request: HttpRequest) -> Viewer | None:
    """Who this browser is signed in as; None when nobody, or when the personal link that opened a limited
    session has since been revoked by staff."""
    email = request.session.get(SESSION_EMAIL, "")
    if not email:
        return None
    scope = request.session.get(SESSION_SCOPE)
    if not isinstance(scope, dict):
        return Viewer(email)
    link_id = scope.get("link")
    if link_id and not PurchasesLink.objects.filter(pk=link_id, revoked_at__isnull=True).exists():
        return None
    return Viewer(email, order_id=scope.get("order"), manages_seats=bool(scope.get("seats")))


def signed_in_email(request: HttpRequest) -> str:
    """The address of a full sign-in; "" for a session limited to one order, or for nobody."""
    return request.session.get(SESSION_EMAIL, "") if SESSION_SCOPE not in request.session else ""


def sign_in(request: HttpRequest, email: str) -> None:
    """Sign this browser in fully to the purchases page of `email` (a new session key: no fixation)."""
    request.session.cycle_key()
    request.session.pop(SESSION_SCOPE, None)
    request.session[SESSION_EMAIL] = normalise_email(email)
    request.session.set_expiry(settings.PURCHASES_SESSION_SECONDS)


def sign_in_to_order(
    request: HttpRequest, email: str, order: Order, *, link: PurchasesLink | None = None, seats: bool = False
) -> None:
    """Sign this browser in for `order` only. A browser already fully signed in as `email` stays so."""
    email = normalise_email(email)
    if signed_in_email(request) == email:
        return
    request.session.cycle_key()
    request.session[SESSION_EMAIL] = email
    request.session[SESSION_SCOPE] = {"order": order.pk, "link": link.pk if link else None, "seats": seats}
    request.session.set_expiry(settings.PURCHASES_SESSION_SECONDS)


def sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_EMAIL, None)
    request.session.pop(SESSION_SCOPE, None)
    request.session.cycle_key()


def sign_in_paying_browser(request: HttpRequest, order: Order) -> str:
    """Checkout's success page calls this (settings.PAYING_BROWSER_SIGN_IN) for the browser that started the
    order's checkout: once money is received it is signed in as the buyer for that order, seats included
    (for seats added to a team order, for that team order).
    Returns the purchases page's address, or "" when it was not signed in (no money yet, or no buyer
    address)."""
    email = normalise_email(order.email)
    if not order.money_received or not email:
        return ""
    # Seats added to a team order are handed out from that order's seat manager: the session is for it.
    team = order.adds_seats_to if order.adds_seats_to_id else order
    current = viewer(request)
    if current is None or current.email != email or not current.may_manage(team):
        sign_in_to_order(request, email, team, seats=True)
    return reverse("access:purchases")
