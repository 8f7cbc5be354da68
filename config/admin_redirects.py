"""Old admin addresses of the money records that moved out of checkout answer with a permanent redirect to
their new ones, so staff bookmarks keep working.

Splitting checkout into payments and invoicing kept the tables (db_table "checkout_…") but changed the app
labels, and the admin's addresses follow the app label: /admin/checkout/payment/5/change/ is now
/admin/payments/payment/5/change/. Orders stayed in checkout and are not redirected.

The rest of the path is whatever the client sent, so the target is joined from known parts and that rest,
never passed through reverse() or taken as a URL: it always starts with "/<ADMIN_URL>", and anything that
could make a browser read it as another site (a doubled slash, a backslash) or leave the model's pages
(a "." or ".." segment), or a NUL, is a 404 instead.
"""

import re
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponsePermanentRedirect
from django.urls import URLPattern, re_path
from django.utils.encoding import escape_uri_path, iri_to_uri

# Model name, as in the admin's addresses -> the app it moved to from checkout.
MOVED_FROM_CHECKOUT = {
    "stripeevent": "payments",
    "payment": "payments",
    "refund": "payments",
    "dispute": "payments",
    "payout": "payments",
    "payoutline": "payments",
    "paymentrequest": "invoicing",
}
_UNSAFE = ("\x00", "\\")


def moved_admin_page(request: HttpRequest, model: str, rest: str) -> HttpResponsePermanentRedirect:
    query = request.META.get("QUERY_STRING", "")
    if any(char in text for char in _UNSAFE for text in (rest, unquote(query))):
        raise Http404("not an admin address")
    if any(segment in (".", "..") for segment in rest.split("/")):
        raise Http404("not an admin address")
    path = f"/{settings.ADMIN_URL}{MOVED_FROM_CHECKOUT[model]}/{model}/{rest}"
    if "//" in path:
        raise Http404("not an admin address")
    # rest is decoded (path_info): quote it again as Django quotes request paths, so "%25" stays "%25".
    location = escape_uri_path(path) + (f"?{iri_to_uri(query)}" if query else "")
    target = urlsplit(location)
    if target.scheme or target.netloc or not location.startswith("/"):  # cannot happen; checked anyway
        raise Http404("not an admin address")
    # 301 for the bookmarks (GET, HEAD); 308 for anything else, so a form opened before the move and
    # submitted after it is sent again as it was instead of turning into a GET that silently drops it.
    return HttpResponsePermanentRedirect(location, preserve_request=request.method not in ("GET", "HEAD"))


def moved_admin_pages() -> URLPattern:
    """The pattern for config/urls.py, before admin.site.urls: /<ADMIN_URL>checkout/<moved model>/<rest>."""
    models = "|".join(MOVED_FROM_CHECKOUT)
    return re_path(
        rf"^{re.escape(settings.ADMIN_URL)}checkout/(?P<model>{models})/(?P<rest>(?s:.*))$",
        moved_admin_page,
        name="moved_admin_page",
    )
