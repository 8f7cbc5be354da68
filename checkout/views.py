import re

import stripe
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from catalog.models import Product
from catalog.money import format_money
from checkout import fulfilment, services, stripe_sync
from checkout.forms import BuyForm, seats_from_query
from checkout.models import Order
from checkout.stripe_client import checkout_enabled
from checkout.visitor import ensure_visitor_id, remember_visitor, visitor_id

SESSION_ID = re.compile(r"cs_[A-Za-z0-9_]{1,250}")


def _active_product(slug: str) -> Product:
    try:
        return Product.objects.active().get(slug=slug)
    except Product.DoesNotExist:
        raise Http404("No product by that name is on sale.") from None


def _render_review(
    request: HttpRequest, product: Product, form: BuyForm, *, status: int = 200
) -> HttpResponse:
    seats = range(services.MIN_SEATS, services.MAX_SEATS + 1)
    # Totals for every seat count, formatted here so the page's script only looks them up.
    totals = {str(n): format_money(product.price_cents * n, product.currency) for n in seats}
    quantity = form["quantity"].value()
    try:
        shown = int(quantity) if int(quantity) in seats else 1
    except (TypeError, ValueError):
        shown = 1
    context = {
        "product": product,
        "form": form,
        "checkout_enabled": checkout_enabled(),
        "cancelled": request.GET.get("cancelled") == "1",
        "seats_shown": shown,
        "total_cents": product.price_cents * shown,
        "totals": totals,
    }
    return render(request, "checkout/review.html", context, status=status)


@never_cache
@require_safe
def review(request: HttpRequest, slug: str) -> HttpResponse:
    """The order review step: seats and total, then the CSRF-protected POST that starts Stripe Checkout."""
    product = _active_product(slug)
    form = BuyForm(
        initial={"product": product.slug, "quantity": seats_from_query(request.GET.get("quantity"))}
    )
    return remember_visitor(_render_review(request, product, form), ensure_visitor_id(request))


@never_cache
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """Create the order and its Checkout Session, then hand the buyer to Stripe with a 303."""
    product = _active_product(request.POST.get("product", ""))
    data = request.POST.copy()
    data.setdefault("quantity", "1")  # one seat unless the form says otherwise
    form = BuyForm(data)
    if not form.is_valid():
        return _render_review(request, product, form, status=400)
    if not product.can_be_bought:  # a bundle with a component off sale: catalog.rules.can_be_bought
        return _render_review(request, product, form, status=409)
    if not checkout_enabled():
        return _render_review(request, product, form, status=503)
    visitor = ensure_visitor_id(request)
    try:
        started = services.start_checkout(
            product=product, quantity=form.cleaned_data["quantity"], visitor=visitor
        )
    except services.CheckoutUnavailable:
        return render(request, "checkout/unavailable.html", {"product": product}, status=502)
    response = redirect(started.checkout_url)
    response.status_code = 303
    return remember_visitor(response, visitor)


@never_cache
@require_safe
def success(request: HttpRequest) -> HttpResponse:
    """Where Stripe sends the buyer back. The session is fetched from Stripe and the order converged at
    once (the webhook's task does the same later). Buyer details only for the browser that started it."""
    session_id = request.GET.get("session_id", "")
    if not SESSION_ID.fullmatch(session_id):
        return render(request, "checkout/success_unknown.html", status=400)
    if not checkout_enabled():
        raise Http404("Checkout is not configured.")
    visitor = visitor_id(request)
    try:
        session = stripe_sync.fetch_session(session_id)
    except stripe.InvalidRequestError:
        return render(request, "checkout/success_unknown.html", status=404)
    except stripe.StripeError:
        order = Order.objects.filter(stripe_session_id=session_id).first()
        shown = order if order and services.order_visible_to(order, visitor) else None
        return render(request, "checkout/success.html", {"order": shown, "stripe_down": True}, status=503)
    order = fulfilment.converge_session(session, source="success-page")
    if order is None:
        return render(request, "checkout/success_unknown.html", status=404)
    if not services.order_visible_to(order, visitor):
        return render(request, "checkout/success_private.html", {"status": order.status})
    lines = list(order.lines.all())
    context = {
        "order": order,
        "lines": lines,
        "several_seats": any(line.quantity > 1 for line in lines),
        "stripe_down": False,
    }
    return render(request, "checkout/success.html", context)
