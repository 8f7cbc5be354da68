"""Pages of "My company pays": the buyer's request form (on the review page) and status page, and the payer's
page behind the emailed link. Thin views: a form parses, invoicing.requests acts.

The payer's page is a capability URL: no cache, no referrer to other sites, no indexing. GET shows it (and marks the request
viewed when a browser navigated there); choices are POSTs answered with a 303, so a reload never repeats one.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from catalog.seats import MIN_SEATS
from checkout import services
from checkout.forms import BuyForm
from checkout.models import Order
from checkout.stripe_client import checkout_enabled
from checkout.views import active_product, render_review, see_other
from checkout.visitor import ensure_visitor_id, remember_visitor, visitor_id
from invoicing import bill_to
from invoicing import requests as payment_requests
from invoicing.emails import status_key_matches
from invoicing.forms import DeclineForm, PayerDetailsForm, PaymentRequestForm
from invoicing.models import PaymentRequest


def _private(response: HttpResponse) -> HttpResponse:
    # Never sent to another site (the link is a capability); "no-referrer" would make Chromium send
    # `Origin: null` with the page's own POSTs, which CSRF protection rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_POST
def request_payment(request: HttpRequest) -> HttpResponse:
    """Create the pending order and its payment request; the payer's email goes out from a task."""
    product = active_product(request.POST.get("product", ""))
    visitor = ensure_visitor_id(request)
    form = PaymentRequestForm(request.POST, prefix=PaymentRequestForm.PREFIX)
    if not form.is_valid() or not checkout_enabled() or not product.can_be_bought:
        # The card form keeps its own fields (ids and names without the prefix): each field shows once.
        typed = form.cleaned_data
        buy_form = BuyForm(
            initial={"quantity": typed.get("quantity") or MIN_SEATS, "po_number": typed.get("po_number", "")}
        )
        response = render_review(
            request, product, buy_form, visitor=visitor, extra={"request_form": form, "request_refused": True}
        )
        response.status_code = 400
        return remember_visitor(response, visitor)
    data = form.cleaned_data
    if not payment_requests.sending_allowed(data["payer_email"], request.META.get("REMOTE_ADDR", "")):
        response = render(
            request, "invoicing/payment_request_throttled.html", {"product": product}, status=429
        )
        return remember_visitor(response, visitor)
    details = payment_requests.RequestDetails(
        **{name: data[name] for name in payment_requests.RequestDetails.__dataclass_fields__}
    )
    try:
        payment_request = payment_requests.request_payment(
            product=product,
            quantity=data["quantity"],
            visitor=visitor,
            po_number=data["po_number"],
            details=details,
        )
    except payment_requests.RequestRefused as refused:
        if refused.existing is None:
            raise Http404(str(refused)) from None
        payment_request = refused.existing
    url = reverse("invoicing:request_status", args=[payment_request.order.reference])
    return remember_visitor(see_other(url), visitor)


def _buyers_order(request: HttpRequest, reference: str, key: str) -> Order:
    """The order, for the browser that sent its request or for the link in the buyer's copy (its key)."""
    order = get_object_or_404(Order, reference=reference)
    allowed = services.order_visible_to(order, visitor_id(request)) or status_key_matches(order, key)
    if not allowed or not order.payment_requests.exists():
        raise Http404("No payment request of yours has that reference.")
    return order


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def request_status(request: HttpRequest, reference: str) -> HttpResponse:
    """The buyer's view of their request (this browser only): its state, and re-send or cancel while the
    payer has not chosen yet."""
    key = request.GET.get("key", "")
    order = _buyers_order(request, reference, key)
    payment_request = payment_requests.buyers_request(order)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cancel":
            payment_requests.cancel(payment_request.pk, source="buyer")
        elif action == "resend":
            if not payment_requests.sending_allowed(
                payment_request.payer_email, request.META.get("REMOTE_ADDR", "")
            ):
                return render(request, "invoicing/payment_request_throttled.html", {}, status=429)
            payment_requests.resend(payment_request.pk, source="buyer")
        done = action if action in ("cancel", "resend") else ""
        return see_other(f"{request.path}?{urlencode({'done': done, **({'key': key} if key else {})})}")
    context = {
        "order": order,
        "payment_request": payment_request,
        "lines": list(order.lines.all()),
        "done": request.GET.get("done", ""),
        "key": key,
    }
    response = render(request, "invoicing/request_status.html", context)
    return _private(response) if key else response


def _payer_context(request: HttpRequest, payment_request: PaymentRequest, **extra) -> dict:
    order = payment_request.order
    order.refresh_from_db()
    return {
        "payment_request": payment_request,
        "order": order,
        "lines": list(order.lines.all()),
        "State": PaymentRequest.State,
        "seller_details": settings.SELLER_DETAILS,
        "invoice_days": settings.INVOICE_DAYS_UNTIL_DUE,
        "status_url": reverse(
            "invoicing:payment_request_state", args=[request.resolver_match.kwargs["token"]]
        ),
        "message": "",
        "saved": request.GET.get("saved") == "1",
        **extra,
    }


def _details_form(payment_request: PaymentRequest) -> PayerDetailsForm:
    return PayerDetailsForm(
        initial={name: getattr(payment_request, name) for name in PayerDetailsForm.FIELDS},
        prefix="billto",
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def payer_page(request: HttpRequest, token: str) -> HttpResponse:
    payment_request = payment_requests.request_for_link(token)
    if payment_request is None:
        return _private(render(request, "invoicing/payment_request_invalid.html", status=404))
    message = ""
    details_form = _details_form(payment_request)
    decline_form = DeclineForm(prefix="decline")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "invoice":
            payment_requests.choose_invoice(payment_request.pk)
            return _private(see_other(request.path))
        if action == "details":
            details_form = PayerDetailsForm(request.POST, prefix="billto")
            if details_form.is_valid():
                bill_to.confirm_details(payment_request.pk, bill_to.BillTo(**details_form.cleaned_data))
                return _private(see_other(f"{request.path}?saved=1"))
            status = 400
        if action == "decline":
            decline_form = DeclineForm(request.POST, prefix="decline")
            if decline_form.is_valid():
                bill_to.decline(payment_request.pk, decline_form.cleaned_data["reason"])
                return _private(see_other(request.path))
            status = 400
        if action == "card":
            try:
                url = payment_requests.pay_by_card(payment_request.pk)
            except services.CheckoutUnavailable:
                url = None
                message = "Card payment is unavailable at the moment. Please try again in a few minutes."
            if url:
                return _private(see_other(url))
            message = message or "This request can no longer be paid by card from here."
        payment_request.refresh_from_db()
    elif request.method == "GET" and request.headers.get("Sec-Fetch-Mode") == "navigate":
        # A browser opening the page (link scanners and previews send no Fetch Metadata): "viewed" is only
        # what the buyer sees on their page, and changes nothing else.
        payment_requests.mark_viewed(payment_request.pk)
        payment_request.refresh_from_db()
    context = _payer_context(
        request, payment_request, message=message, details_form=details_form, decline_form=decline_form
    )
    return _private(render(request, "invoicing/payment_request.html", context, status=status))


@never_cache
@require_safe
def payer_page_state(request: HttpRequest, token: str) -> HttpResponse:
    """The part of the payer's page that follows the request (preparing, issued, paid), for its script to
    swap in: the same capability link, read only (it marks nothing viewed), never stored by a cache."""
    payment_request = payment_requests.request_for_link(token)
    if payment_request is None:
        return _private(HttpResponse(status=404))
    context = _payer_context(
        request,
        payment_request,
        details_form=_details_form(payment_request),
        decline_form=DeclineForm(prefix="decline"),
    )
    return _private(render(request, "invoicing/_payer_state.html", context))
