"""The reminder's pages. A GET only shows (mail scanners open links); the button's POST acts."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from checkout import consent, services
from checkout.stripe_client import checkout_enabled
from checkout.visitor import ensure_visitor_id, remember_visitor
from recovery import links, way_back
from recovery.models import Unsubscribe


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def way_back_page(request: HttpRequest, key: str) -> HttpResponse:
    reminder, expired = links.reminder_for_key(key)
    if reminder is None:
        status = 410 if expired else 404
        return render(request, "recovery/link_unusable.html", {"expired": expired}, status=status)
    cart = way_back.cart(reminder)
    cart_query = urlencode(
        {"quantity": cart.seats, **({"po_number": cart.po_number} if cart.po_number else {})}
    )
    review_url = f"{reverse('checkout:review', args=[cart.product.slug])}?{cart_query}"
    context = {
        "cart": cart,
        "key": key,
        "review_url": review_url,
        # The review page with "My company pays" open and the seats filled in (invoicing.review_page).
        "company_url": f"{review_url}&pay=company#company-pays",
        "consent_text": consent.TEXT,
        "consent_required": consent.REQUIRED_MESSAGE,
    }
    if request.method != "POST":
        return render(request, "recovery/way_back.html", context)
    if not cart.can_buy or not checkout_enabled():
        return render(request, "recovery/way_back.html", {**context, "refused": True}, status=409)
    if not consent.ticked(request.POST):
        return render(request, "recovery/way_back.html", {**context, "consent_missing": True}, status=400)
    visitor = ensure_visitor_id(request)
    try:
        started = way_back.return_to_checkout(reminder, visitor=visitor, digital_consent=True)
    except services.CheckoutUnavailable:
        return render(request, "checkout/unavailable.html", {"product": cart.product}, status=502)
    response = redirect(started.checkout_url)
    response.status_code = 303
    return remember_visitor(response, visitor)


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without our form's token
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, key: str) -> HttpResponse:
    email = links.email_for_unsubscribe_key(key)
    if not email:
        return render(request, "recovery/link_unusable.html", {"expired": False}, status=404)
    if request.method != "POST":
        done = Unsubscribe.objects.filter(email=email).exists()
        return render(request, "recovery/unsubscribe.html", {"email": email, "done": done, "key": key})
    Unsubscribe.objects.get_or_create(email=email, defaults={"unsubscribed_at": timezone.now()})
    return render(
        request,
        "recovery/unsubscribe.html",
        {"email": email, "done": True, "key": key, "contact": settings.SITE_CONTACT_EMAIL},
    )
