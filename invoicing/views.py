"""Pages of "My company pays": the buyer's request form (on the review page) and status page, and the payer's
page behind the emailed link. Thin views: a form parses, invoicing.requests acts.

The payer's page is a capability URL: no cache, no referrer to other sites, no indexing. GET shows it (and marks the request
viewed when a browser navigated there); choices are POSTs answered with a 303, so a reload never repeats one.
"""

import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from catalog.currency import supported, visitor_currency
from catalog.seats import MIN_SEATS
from catalog.tax_codes import price_note
from checkout import consent, services
from checkout.forms import BuyForm
from checkout.models import Order
from checkout.stripe_client import checkout_enabled
from checkout.views import active_product, render_review, see_other
from checkout.visitor import ensure_visitor_id, remember_visitor, visitor_id
from common.client_ip import client_ip
from invoicing import bill_to, status_links
from invoicing import requests as payment_requests
from invoicing.emails import send_fresh_status_link
from invoicing.forms import DeclineForm, FreshStatusLinkForm, PayerDetailsForm, PaymentRequestForm
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
    # The currency the review page showed: the order, the request and its invoice are all in it.
    shown = supported(request.POST.get("currency")) or visitor_currency(request)
    product = active_product(request.POST.get("product", ""), shown)
    visitor = ensure_visitor_id(request)
    form = PaymentRequestForm(request.POST, prefix=PaymentRequestForm.PREFIX)
    if not form.is_valid() or not checkout_enabled() or not product.offered:
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
    if not payment_requests.sending_allowed(data["payer_email"], client_ip(request)):
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
            currency=product.offer_currency,
        )
    except payment_requests.RequestRefused as refused:
        if refused.existing is None:
            raise Http404(str(refused)) from None
        payment_request = refused.existing
    url = reverse("invoicing:request_status", args=[payment_request.order.reference])
    return remember_visitor(see_other(url), visitor)


def _expired_page(request: HttpRequest, form: FreshStatusLinkForm, status: int, **extra) -> HttpResponse:
    context = {"form": form, "link_days": settings.PAYMENT_REQUEST_STATUS_LINK_MAX_AGE_DAYS, **extra}
    return _private(render(request, "invoicing/status_link_expired.html", context, status=status))


def _expired_link(request: HttpRequest, reference: str) -> HttpResponse:
    """An expired status link (the same page whatever its reference: it never says whether the order
    exists): it says so, and emails a fresh link to the address typed when that is the buyer's."""
    if request.method != "POST":
        return _expired_page(request, FreshStatusLinkForm(), 410, sent=request.GET.get("sent") == "1")
    form = FreshStatusLinkForm(request.POST)
    if not form.is_valid():
        return _expired_page(request, form, 400)
    email = form.cleaned_data["email"]
    if not payment_requests.sending_allowed(email, client_ip(request)):
        return _expired_page(request, form, 429, throttled=True)
    send_fresh_status_link.enqueue(reference[:20], email, secrets.token_hex(4))
    query = urlencode({"key": request.GET.get("key", ""), "sent": "1"})
    return _private(see_other(f"{request.path}?{query}"))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def request_status(request: HttpRequest, reference: str) -> HttpResponse:
    """The buyer's view of their request, for the browser that sent it or the emailed link (its key, fresh
    for PAYMENT_REQUEST_STATUS_LINK_MAX_AGE_DAYS): its state, and re-send or cancel while the payer has not
    chosen yet."""
    key = request.GET.get("key", "")
    order = Order.objects.filter(reference=reference).first()
    mine = order is not None and services.order_visible_to(order, visitor_id(request))
    link = status_links.key_state(order, key) if key else status_links.INVALID
    if not mine and link == status_links.EXPIRED:
        return _expired_link(request, reference)
    if order is None or not (mine or link == status_links.FRESH) or not order.payment_requests.exists():
        raise Http404("No payment request of yours has that reference.")
    payment_request = payment_requests.buyers_request(order)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cancel":
            payment_requests.cancel(payment_request.pk, source="buyer")
        elif action == "resend":
            if not payment_requests.sending_allowed(payment_request.payer_email, client_ip(request)):
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


def _correction_url(payment_request: PaymentRequest, token: str) -> str:
    """Where accounts payable correct the issued invoice's header (settings.PAYER_CORRECTION_URL, a URL
    name another app serves, taking the payer's token); "" before an invoice exists or when none does. The
    invoice is the request's own (on terms), or, for a request paid by card through Checkout, the invoice
    Stripe made for the order (the page that URL names decides what may be corrected on it)."""
    name = settings.PAYER_CORRECTION_URL
    State = PaymentRequest.State
    on_terms = bool(payment_request.stripe_invoice_id) and payment_request.state in (State.ISSUED, State.PAID)
    order = payment_request.order
    by_card = (
        payment_request.state == State.PAID
        and not payment_request.stripe_invoice_id
        and order.invoice_id.startswith("in_")
        and order.money_received
    )
    return reverse(name, args=[token]) if name and (on_terms or by_card) else ""


def _payer_context(request: HttpRequest, payment_request: PaymentRequest, **extra) -> dict:
    order = payment_request.order
    order.refresh_from_db()
    token = request.resolver_match.kwargs["token"]
    return {
        "payment_request": payment_request,
        "order": order,
        "lines": list(order.lines.all()),
        "State": PaymentRequest.State,
        "seller_details": settings.SELLER_DETAILS,
        "invoice_days": settings.INVOICE_DAYS_UNTIL_DUE,
        "status_url": reverse("invoicing:payment_request_state", args=[token]),
        "correction_url": _correction_url(payment_request, token),
        "message": "",
        "saved": request.GET.get("saved") == "1",
        "card_consent": payment_requests.card_needs_consent(payment_request),
        "consent_text": consent.FOR_OTHERS_TEXT,
        # Before payment the total is before VAT (or includes it), as the order's prices were sent to Stripe.
        "tax_note": price_note(order.tax_behavior or settings.TAX_BEHAVIOR),
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
                url = payment_requests.pay_by_card(
                    payment_request.pk, digital_consent=consent.ticked(request.POST)
                )
            except payment_requests.ConsentNeeded as needed:
                url, message, status = None, str(needed), 400
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
