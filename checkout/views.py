import re
from urllib.parse import urlencode

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from catalog.currency import guessed_currency, supported, visitor_currency
from catalog.models import Product
from catalog.money import format_money
from catalog.seats import MAX_SEATS, MIN_SEATS, seat_range_text
from checkout import payers, receipts, services
from checkout.forms import BuyForm
from checkout.models import Order
from checkout.stripe_client import checkout_enabled
from checkout.stripe_gateway import InvalidRequest, StripeError, fetch_session
from checkout.stripe_limits import PO_NUMBER_MAX
from checkout.visitor import ensure_visitor_id, remember_visitor, visitor_id
from common import hooks

SESSION_ID = re.compile(r"cs_[A-Za-z0-9_]{1,250}")
MAX_ECHOED_CHARS = 20
# Our database out of reach (down, restarting, failing over): not a bug in the page, so not a 500.
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)
# How long the success page waits before it reloads itself while the database is out of reach.
OUTAGE_RETRY_SECONDS = 10


def active_product(slug: str, currency: str = "") -> Product:
    """The product on sale by that slug, its price (and a bundle's value) in `currency` annotated."""
    try:
        return Product.objects.active().with_pricing(currency).get(slug=slug)
    except Product.DoesNotExist:
        raise Http404("No product by that name is on sale.") from None


def see_other(url: str) -> HttpResponse:
    response = redirect(url)
    response.status_code = 303
    return response


def render_review(
    request: HttpRequest,
    product: Product,
    form: BuyForm,
    *,
    visitor: str,
    extra: dict | None = None,
) -> HttpResponse:
    """The review page. Other apps add their part of it through settings.REVIEW_PAGE_EXTRAS (callables
    returning context; "My company pays" adds its form and this browser's waiting requests); `extra` is
    the context of the view that renders it (a refused request form, say)."""
    # The form is the one parser of the seat count: unbound shows its initial value, bound shows what the
    # buyer typed (with the error when it is not a valid count, and then no total). Another field's error
    # (the consent box left unticked) leaves a valid count standing, and its total shows.
    if not form.is_bound:
        seats = form.fields["quantity"].initial
    else:
        form.is_valid()
        seats = form.cleaned_data.get("quantity")
    # Totals for every seat count in the page's currency, formatted here so the page's script only looks
    # them up. None of them when the product has no price in that currency (the page says so).
    unit_price = product.offer_price_cents or 0
    totals = (
        {
            str(n): format_money(unit_price * n, product.offer_currency)
            for n in range(MIN_SEATS, MAX_SEATS + 1)
        }
        if unit_price
        else {}
    )
    context = {
        "product": product,
        "form": form,
        "checkout_enabled": checkout_enabled(),
        "cancelled": request.GET.get("cancelled") == "1",
        "seats": seats,
        "total_cents": unit_price * seats if seats and unit_price else None,
        "totals": totals,
        "seat_range": seat_range_text(),
        # This browser already paid for this product: say so, with a link to the order.
        "bought": services.orders_bought_by(visitor=visitor, product=product)[:3],
    }
    hooks.merged(
        "REVIEW_PAGE_EXTRAS", request=request, product=product, visitor=visitor, seats=seats, into=context
    )
    context.update(extra or {})
    return render(request, "checkout/review.html", context)


def _review_data(query) -> dict[str, str]:
    """The review page's form from its address: the seats (and PO number) echoed by a refused Pay, and the
    consent error only when that Pay came without the box ticked (the box itself always shows unticked)."""
    data = {key: query.get(key, "") for key in ("quantity", "po_number")}
    if query.get("consent") != "missing":
        data["digital_consent"] = "on"
    return data


@never_cache
@require_safe
def review(request: HttpRequest, slug: str) -> HttpResponse:
    """The order review step: seats and total, then the CSRF-protected POST that starts Stripe Checkout.

    `?quantity=N` preselects seats (team pages link here that way); a refused POST comes back here with the
    buyer's own entry in it, so its error shows on this address and Back or reload never resubmits.
    """
    product = active_product(slug, visitor_currency(request))
    visitor = ensure_visitor_id(request)
    form = BuyForm(_review_data(request.GET) if "quantity" in request.GET else None)
    response = render_review(request, product, form, visitor=visitor)
    return remember_visitor(response, visitor)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Create the order and its Checkout Session, then hand the buyer to Stripe with a 303.

    Anything refused goes back to the review page with a 303 (post/redirect/get). A GET has nothing to
    start (a bookmark, an old tab), so it goes to the products.
    """
    if request.method != "POST":
        return redirect("catalog:home")
    # The currency the review page showed, so a switch in another tab never changes an order silently; a
    # tampered or missing one is the visitor's current currency. The product, annotated in it, says what
    # that means for it (the default currency is each product's own): the order's currency.
    shown = supported(request.POST.get("currency")) or visitor_currency(request)
    product = active_product(request.POST.get("product", ""), shown)
    currency = product.offer_currency
    quantity = request.POST.get("quantity", str(MIN_SEATS))  # one seat unless the form says otherwise
    po_number = request.POST.get("po_number", "")
    consented = request.POST.get("digital_consent", "")
    form = BuyForm({"quantity": quantity, "po_number": po_number, "digital_consent": consented})
    if not form.is_valid() or not checkout_enabled() or not product.can_be_bought:
        # Refused (a bad entry, checkout off, or a bundle with a component off sale, which the review page
        # explains: catalog.rules.can_be_bought): back to the review page, post/redirect/get.
        # The buyer's entries ride along (trimmed: they only have to show what was typed next to the error).
        echoed = {"quantity": quantity[:MAX_ECHOED_CHARS]}
        if po_number:
            echoed["po_number"] = po_number[: PO_NUMBER_MAX * 2]  # long enough to show why it was refused
        if "digital_consent" in form.errors:
            echoed["consent"] = "missing"
        if shown != visitor_currency(request):  # back to the review page in the currency it showed
            echoed["currency"] = shown
        query = urlencode(echoed)
        return see_other(f"{reverse('checkout:review', args=[product.slug])}?{query}")
    visitor = ensure_visitor_id(request)
    try:
        started = services.start_checkout(
            product=product,
            quantity=form.cleaned_data["quantity"],
            visitor=visitor,
            po_number=form.cleaned_data["po_number"],
            digital_consent=form.cleaned_data["digital_consent"],
            data=request.POST,
            currency=currency,
            adaptive_pricing=services.wants_adaptive_pricing(
                currency=currency, visitor_guess=guessed_currency(request)
            ),
        )
    except (services.StartRefused, services.NotSoldInCurrency) as refused:
        response = render_review(
            request, product, form, visitor=visitor, extra={"start_refused": str(refused)}
        )
        response.status_code = 400
        return remember_visitor(response, visitor)
    except services.CheckoutUnavailable:
        return render(request, "checkout/unavailable.html", {"product": product}, status=502)
    return remember_visitor(see_other(started.checkout_url), visitor)


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
    try:
        return _success_page(request, session_id)
    except DATABASE_UNREACHABLE:
        # The payment is Stripe's record, and the webhook (retried by Stripe) records it once we are back.
        response = render(
            request, "checkout/success_retry.html", {"retry_seconds": OUTAGE_RETRY_SECONDS}, status=503
        )
        response["Retry-After"] = str(OUTAGE_RETRY_SECONDS)
        return response


def _success_page(request: HttpRequest, session_id: str) -> HttpResponse:
    visitor = visitor_id(request)
    try:
        session = fetch_session(session_id)
    except InvalidRequest:
        return render(request, "checkout/success_unknown.html", status=404)
    except StripeError:
        order = Order.objects.filter(stripe_session_id=session_id).first()
        shown = order if order and services.order_visible_to(order, visitor) else None
        return render(request, "checkout/success.html", {"order": shown, "stripe_down": True}, status=503)
    # The app that records money (settings.CHECKOUT_SESSION_CONVERGE) brings the order in line at once.
    order = hooks.one("CHECKOUT_SESSION_CONVERGE")(session, source="success-page")
    if order is None:
        return render(request, "checkout/success_unknown.html", status=404)
    if not services.order_visible_to(order, visitor):
        context = {
            "money_received": order.money_received,
            "paid_for_someone": payers.has_payment_request(order),
        }
        return render(request, "checkout/success_private.html", context)
    lines = list(order.lines.select_related("product"))
    # Seats added to a team order are all for colleagues, given from that order's seat manager.
    seats_path = receipts.added_seats_path(order)
    steps = receipts.how_to_start(lines)
    context = {
        "order": order,
        "lines": lines,
        "several_seats": any(line.quantity > 1 for line in lines) and not seats_path,
        "refunds": list(order.refunds.all()),
        "stripe_down": False,
        "start": steps if order.status != Order.Status.REFUNDED else [],
        "purchases_url": _sign_in_paying_browser(request, order),
        "added_to": order.adds_seats_to if seats_path else None,
        "seats_url": seats_path,
    }
    context["ready"] = receipts.readiness(steps)
    context["has_kit"] = receipts.gives_kit(steps)
    if seats_path:
        context.update(start=[], ready=receipts.ADDED_SEATS_READY)
    return render(request, "checkout/success.html", context)


def _sign_in_paying_browser(request: HttpRequest, order: Order) -> str:
    """The browser that paid is signed in to the purchases page by the app that owns it
    (settings.PAYING_BROWSER_SIGN_IN); returns that page's address, or "" when it was not signed in."""
    if not settings.PAYING_BROWSER_SIGN_IN:
        return ""
    return hooks.one("PAYING_BROWSER_SIGN_IN")(request, order)
