"""The header's currency switch: a plain form POST (no JavaScript needed) that keeps the choice and sends
the visitor back to the page they were on.

The form is on every public page, and those pages are one cached copy for everyone (config/public_cache.py),
so it cannot carry Django's per-visitor CSRF token. It is protected the way browsers allow without one: the
POST must come from this site (its Origin header, or failing that its Referer, names this host; a browser
saying Sec-Fetch-Site: cross-site is refused), the same check Django's CSRF middleware makes before it
looks at the token. A forged cross-site POST could only change a display preference in any case.
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from catalog.currency import QUERY_PARAMETER, remember_currency, supported


def from_this_site(request: HttpRequest) -> bool:
    """The request was sent by a page of this site (see the module docstring)."""
    if request.headers.get("Sec-Fetch-Site", "") == "cross-site":
        return False
    own = f"{request.scheme}://{request.get_host()}"
    trusted = {own, *settings.CSRF_TRUSTED_ORIGINS}
    origin = request.headers.get("Origin")
    if origin:
        return origin in trusted
    referer = urlsplit(request.headers.get("Referer", ""))
    return bool(referer.netloc) and f"{referer.scheme}://{referer.netloc}" in trusted


def safe_next(request: HttpRequest, target: str) -> str:
    """`target` when it is a page of this site, without a `?currency=` that would override the choice just
    made; the home page otherwise."""
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return reverse("catalog:home")  # an address elsewhere, or none
    parts = urlsplit(target)
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != QUERY_PARAMETER]
    )
    return urlunsplit(("", "", parts.path or "/", query, ""))


@never_cache
@csrf_exempt  # checked by from_this_site instead: see the module docstring
@require_POST
def switch_currency(request: HttpRequest) -> HttpResponse:
    if not from_this_site(request):
        return HttpResponseForbidden(
            "The currency can only be changed from this site's own pages.", content_type="text/plain"
        )
    # An unknown or unsupported code (a tampered form) is the default currency, never an error page.
    currency = supported(request.POST.get("currency", ""))
    response = redirect(safe_next(request, request.POST.get("next", "")))
    response.status_code = 303
    return remember_currency(request, response, currency)
