"""The purchases page (reached by an emailed sign-in link, no password), seat assignment and downloads.

Who may see what comes from the signed-in email kept in the session, never from the URL: a seat is found
by its token and the buyer's email together, and a download link is signed for one grant and one file."""

import logging

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import (
    bundle_completion,
    downloads,
    links,
    purchase_links,
    purchases_page,
    sessions,
    tasks,
)
from access.forms import EmailForm
from catalog.currency import supported, visitor_currency
from catalog.models import Product
from checkout import consent
from checkout.services import CheckoutUnavailable
from checkout.visitor import ensure_visitor_id, remember_visitor
from common.client_ip import client_ip

logger = logging.getLogger("access")

DOWNLOAD_CHUNK_BYTES = 256 * 1024


def _problem(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "access/problem.html", {"title": title, "message": message}, status=status)


def _signed_in_email(request: HttpRequest) -> str:
    return sessions.signed_in_email(request)


@never_cache
@require_http_methods(["GET", "POST"])
def purchases(request: HttpRequest) -> HttpResponse:
    """Signed in: the orders and access of that email (of one order only, for a browser that entered through
    a personal link). Otherwise, and for the POST: ask for an email and send a sign-in link, which signs in
    fully."""
    if request.method == "GET":
        viewer = sessions.viewer(request)
        if viewer:
            purchases_page.record_first_visit(viewer)
            context = purchases_page.page_context(viewer, visitor_currency(request))
            # "Complete my Bundle" pressed without the consent ticked: the reason shows beside the box.
            missing = request.GET.get("consent") == "missing"
            context["consent_error"] = consent.REQUIRED_MESSAGE if missing else ""
            return render(request, "access/purchases.html", context)
        return render(request, "access/request_link.html", {"form": EmailForm()})
    form = EmailForm(request.POST)
    if not form.is_valid():
        return render(request, "access/request_link.html", {"form": form}, status=400)
    address = links.normalise_email(form.cleaned_data["email"])
    if not links.sign_in_request_allowed(address, client_ip(request)):
        return render(request, "access/throttled.html", status=429)
    tasks.send_sign_in_link.enqueue(address)
    return render(request, "access/link_sent.html", {"email": address})


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button and spends nothing (mail scanners open links); the POST spends the link."""
    try:
        if request.method == "GET":
            email, _ = links.read_sign_in_token(token)
            return render(request, "access/sign_in.html", {"email": email})
        email = links.use_sign_in_token(token)
    except links.LinkUsed:
        return _problem(request, 410, "This sign-in link has been used", "Each link opens the page once.")
    except links.LinkExpired:
        return _problem(
            request,
            410,
            "This sign-in link has expired",
            "Sign-in links work for a short time; ask for a new one below.",
        )
    except links.LinkInvalid:
        return _problem(request, 400, "This sign-in link is not valid", "It may have been cut short.")
    sessions.sign_in(request, email)
    return redirect("access:purchases")


@never_cache
@require_http_methods(["GET", "POST"])
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """A personal link from an order email. GET shows one button and spends nothing (mail scanners open
    links); the POST signs in for this order only and shows the purchases page (at the order with
    `show=order`). An order that
    no longer gives this address access shows its status instead, with no button."""
    try:
        link = purchase_links.read_link(token)
    except purchase_links.LinkRevoked:
        return _problem(
            request,
            410,
            "This link has been switched off",
            "The academy revoked this link, so it no longer opens your purchases or shows an order.",
        )
    except purchase_links.LinkExpired:
        return _problem(
            request,
            410,
            "This link has expired",
            f"Links in order emails work for {settings.PURCHASES_LINK_MAX_AGE_DAYS} days.",
        )
    except purchase_links.LinkUnknown:
        return _problem(request, 404, "This link is not valid", "It may have been cut short or altered.")
    order = link.order
    if not purchases_page.link_gives_access(link):
        context = {
            "order": order,
            "ended": purchases_page.why_link_ended(link),
            # A seat holder is not shown what the buyer paid or got back.
            "is_buyer": links.normalise_email(order.email) == link.email,
        }
        return render(request, "access/link_order_status.html", context)
    show_order = (request.POST if request.method == "POST" else request.GET).get("show") == "order"
    if request.method == "GET":
        context = {"email": link.email, "order": order, "show_order": show_order}
        return render(request, "access/open_link.html", context)
    purchase_links.record_use(link)
    # An order email may be forwarded: its link opens this order only, never the address's other orders
    # nor the power to hand out seats (a sign-in link emailed to the address does that).
    sessions.sign_in_to_order(request, link.email, order, link=link)
    url = reverse("access:purchases")
    if show_order and order.email and links.normalise_email(order.email) == link.email:
        url += f"#order-{order.reference}"
    return redirect(url)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    sessions.sign_out(request)
    return redirect("access:purchases")


class _CountingReader:
    """Reads the stored file for FileResponse's streaming and records the bytes sent when it is closed."""

    def __init__(self, handle, download_id: int) -> None:
        self._handle = handle
        self._download_id = download_id
        self.sent = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._handle.read(size)
        self.sent += len(chunk)
        return chunk

    def close(self) -> None:
        self._handle.close()
        downloads.record_bytes_sent(self._download_id, self.sent)


@never_cache
@require_GET
def download(request: HttpRequest, token: str) -> HttpResponse:
    try:
        grant, kit_file = links.read_download_token(token)
    except links.SeatGivenAway:
        return _problem(
            request,
            403,
            "This seat now belongs to someone else",
            "The buyer gave the seat behind this link to another person, so its files are theirs now.",
        )
    except links.GrantRevoked:
        return _problem(
            request,
            403,
            "This access has been revoked",
            "The order behind this download was refunded or disputed, so its files are no longer available.",
        )
    except links.LinkExpired:
        return _problem(
            request, 410, "This download link has expired", "Sign in to your purchases page for a fresh one."
        )
    except links.LinkInvalid:
        return _problem(request, 400, "This download link is not valid", "It may have been cut short.")
    try:
        handle = kit_file.file.storage.open(kit_file.file.name, "rb")
        size = handle.size  # on shared storage: the one GET's length, no second request
    except FileNotFoundError:
        logger.error("kit file %s is missing from storage (%s)", kit_file.pk, kit_file.file.name)
        raise Http404("That file is missing.") from None
    record = downloads.record_download(grant=grant, kit_file=kit_file)
    response = FileResponse(
        _CountingReader(handle, record.pk), as_attachment=True, filename=kit_file.download_name
    )
    response["Content-Length"] = size
    # FileResponse reads 4 KB at a time; 256 KB chunks keep memory flat and cost far fewer Python calls
    # (scripts/bench_downloads.py).
    response.block_size = DOWNLOAD_CHUNK_BYTES
    return response


@never_cache
@require_POST
def complete_bundle(request: HttpRequest) -> HttpResponse:
    """Buy the Bundle at the signed-in buyer's completion price (computed again here, never sent by the
    browser), then hand over to Stripe with a 303."""
    email = _signed_in_email(request)
    if not email:
        return redirect("access:purchases")
    bundle = (
        Product.objects.active()
        .filter(slug=request.POST.get("product", "")[:120], kind=Product.Kind.BUNDLE)
        .first()
    )
    if bundle is None:
        return _problem(request, 404, "No such Bundle", "That Bundle is not on sale.")
    if not consent.ticked(request.POST):
        # The EU digital-content consent is needed before the payment page, as on the review page.
        response = redirect(f"{reverse('access:purchases')}?consent=missing#bundle-consent-{bundle.slug}")
        response.status_code = 303
        return response
    visitor = ensure_visitor_id(request)
    try:
        # The currency the offer was shown in (the form says), else the visitor's.
        currency = supported(request.POST.get("currency")) or visitor_currency(request)
        started = bundle_completion.start_bundle_completion(
            email=email, bundle=bundle, visitor=visitor, currency=currency, digital_consent=True
        )
    except bundle_completion.NoOffer as exc:
        messages.warning(request, str(exc))
        return redirect("access:purchases")
    except CheckoutUnavailable:
        return _problem(
            request,
            502,
            "Payment is unavailable",
            "Stripe could not open the payment page; nothing was charged. Please try again in a few minutes.",
        )
    response = redirect(started.checkout_url)
    response.status_code = 303
    return remember_visitor(response, visitor)
