"""The seat manager's "Add seats": the signed-in buyer of a paid team order buys more seats of one of its
lines, through a new order linked to it (checkout.added_seats) and Stripe Checkout like any purchase; once
paid, the new seats are in the same seat manager. Bad input is refused with the page and its error (400),
and nothing is created."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from access.grants import access_is_due
from checkout import added_seats, services
from checkout.stripe_client import checkout_enabled
from checkout.visitor import ensure_visitor_id, remember_visitor
from teams import seat_guard
from teams.forms import AddSeatsForm
from teams.seat_page import page


@never_cache
@require_POST
@seat_guard.buyer_only
def add_seats(request: HttpRequest, reference: str) -> HttpResponse:
    """Start paying for more seats: a 303 to Stripe's page, or the seat manager with why not."""
    order, _ = seat_guard.order_or_404(request, reference)
    form = AddSeatsForm(request.POST)
    if not form.is_valid():
        return page(request, order, add_form=form, status=400)
    if not checkout_enabled():
        form.add_error(None, "Card payment is not set up on this site, so seats cannot be added.")
        return page(request, order, add_form=form, status=503)
    if not access_is_due(order):
        form.add_error(None, "This order no longer gives access, so no seats can be added to it.")
        return page(request, order, add_form=form, status=409)
    visitor = ensure_visitor_id(request)
    try:
        started = added_seats.start_added_seats(
            team=order,
            line_id=form.cleaned_data["line"],
            quantity=form.cleaned_data["quantity"],
            visitor=visitor,
            digital_consent=form.cleaned_data["digital_consent"],
        )
    except added_seats.AddSeatsRefused as refused:
        form.add_error("quantity", str(refused))
        return page(request, order, add_form=form, status=400)
    except services.CheckoutUnavailable:
        form.add_error(None, "The payment page could not be opened just now. Nothing was charged; try again.")
        return page(request, order, add_form=form, status=502)
    response = redirect(started.checkout_url)
    response.status_code = 303
    return remember_visitor(response, visitor)
