"""Who may change who holds an order's seats: the signed-in buyer (access.sessions), found by the order's
reference or a seat's token together with the buyer's address, never by the URL alone. A browser signed in
for one order through a personal link (from an email that may have been forwarded) gets the page that
offers a full sign-in instead; the browser that paid may manage the order it paid, and no other."""

import functools

from django.http import Http404, HttpRequest, HttpResponse

from access import sessions
from access.full_sign_in import full_sign_in_needed
from access.models import Grant
from checkout.models import Order
from common.text import normalise_email
from teams import seat_batches


class FullSignInNeeded(Exception):
    """The browser is signed in for one order only, and may not change who holds these seats."""


def buyer_only(view):
    """Answer a browser signed in for one order only with the page that offers a full sign-in."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except FullSignInNeeded:
            return full_sign_in_needed(request, sessions.viewer(request), "hand out seats")

    return wrapped


def buyer_email(request: HttpRequest, order: Order | None) -> str:
    """The signed-in address when this browser may manage `order`'s seats ("" when nobody is signed in)."""
    viewer = sessions.viewer(request)
    if viewer is None:
        return ""
    if order is not None and not viewer.may_manage(order):
        raise FullSignInNeeded
    return viewer.email


def order_or_404(request: HttpRequest, reference: str) -> tuple[Order, str]:
    """The signed-in buyer's order by its reference, and the buyer's address."""
    viewer = sessions.viewer(request)
    order = seat_batches.buyer_order(reference, viewer.email if viewer else "")
    if order is None:
        raise Http404("No such order among your purchases.")
    return order, buyer_email(request, order)


def seat_order(grant_token: str, email: str) -> Order | None:
    """The order whose seat manager holds the seat a token names, when it is this buyer's: the seat's
    order, or for seats added to a team order, that team order."""
    grant = (
        Grant.objects.filter(token=grant_token, order__email=normalise_email(email))
        .exclude(order__email="")
        .select_related("order__adds_seats_to")
        .first()
    )
    if grant is None:
        return None
    return grant.order.adds_seats_to or grant.order
