"""The visitor's currency: which of the shop's currencies (catalog.money.SHOP_CURRENCIES) the pages show
prices in and Checkout charges.

In order, the first that names a shop currency wins:
1. `?currency=GBP` in the page's address (a link from a UK newsletter), for that page only;
2. the visitor's own choice from the header's switch, kept in the session and in a cookie;
3. a first guess: the country header the deployment names in CURRENCY_COUNTRY_HEADER (a CDN's
   `CF-IPCountry`, say), then the browser's `Accept-Language` (`en-GB` is pounds, `de-AT` euros);
4. US dollars.

Anything else (an unknown or unsupported code anywhere) is ignored, so a bad value falls back to the next
rule and, for a new visitor, to US dollars; it is never an error page. The public page cache keys each page
on `visitor_currency` (settings.PUBLIC_CACHE_KEY_FUNCTIONS), so a cached copy in pounds never reaches a
visitor who sees dollars.
"""

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from catalog.money import DEFAULT_CURRENCY, SHOP_CURRENCIES

COOKIE_NAME = "cpma_currency"
SESSION_KEY = "currency"
QUERY_PARAMETER = "currency"
COOKIE_MAX_AGE = 365 * 24 * 3600

# Countries whose money is the pound or the euro (the euro area as of 2026, Bulgaria included).
COUNTRY_CURRENCY = {
    **dict.fromkeys(("GB", "IM", "JE", "GG"), "GBP"),
    **dict.fromkeys(
        [
            "AT",
            "BE",
            "BG",
            "CY",
            "DE",
            "EE",
            "ES",
            "FI",
            "FR",
            "GR",
            "HR",
            "IE",
            "IT",
            "LT",
            "LU",
            "LV",
            "MT",
            "NL",
            "PT",
            "SI",
            "SK",
            "AD",
            "MC",
            "SM",
            "VA",
            "ME",
            "XK",
        ],
        "EUR",
    ),
}
# Languages spoken almost only inside the euro area, for an Accept-Language without a region (`de`).
# Spanish, Portuguese and English say nothing about the money: most speakers live elsewhere.
EURO_LANGUAGES = frozenset(
    ["de", "nl", "it", "fi", "el", "sk", "sl", "et", "lv", "lt", "mt", "ga", "hr", "fr"]
)


def supported(code: object) -> str:
    """`code` as a shop currency (`gbp` is GBP), or "" when it is not one."""
    if not isinstance(code, str):
        return ""
    code = code.strip().upper()
    return code if code in SHOP_CURRENCIES else ""


def chosen_currency(request: HttpRequest) -> str:
    """The visitor's own choice from the switch (session first, then cookie), or "".

    The session is read only when the browser sent a session cookie: reading it would mark the page as
    varying by cookie, and an anonymous page must stay one cached copy per currency."""
    session = getattr(request, "session", None)
    from_session = ""
    if session is not None and settings.SESSION_COOKIE_NAME in request.COOKIES:
        try:
            from_session = supported(session.get(SESSION_KEY))
        except DatabaseError:  # the session store is out of reach: the cookie holds the same choice
            from_session = ""
    return from_session or supported(request.COOKIES.get(COOKIE_NAME))


def guessed_currency(request: HttpRequest) -> str:
    """A first guess from the deployment's country header, then Accept-Language, or ""."""
    if settings.CURRENCY_COUNTRY_HEADER:
        country = request.headers.get(settings.CURRENCY_COUNTRY_HEADER, "").strip().upper()
        if country in COUNTRY_CURRENCY:
            return COUNTRY_CURRENCY[country]
    return currency_for_languages(request.headers.get("Accept-Language", ""))


def currency_for_languages(header: str) -> str:
    """The currency the browser's preferred languages point to (`en-GB,en;q=0.8` is GBP), or ""."""
    tags = []
    for position, part in enumerate(header[:500].split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            tags.append((-quality, position, tag.lower()))
    for _quality, _position, tag in sorted(tags):
        language, _, region = tag.partition("-")
        last = region.split("-")[-1] if region else ""
        region = last.upper() if len(last) == 2 else ""  # a country, not a script such as `latn`
        if region in COUNTRY_CURRENCY:
            return COUNTRY_CURRENCY[region]
        if region:
            return ""  # en-US, fr-CA: a region outside the pound and the euro
        if language in EURO_LANGUAGES:
            return "EUR"
    return ""


def visitor_currency(request: HttpRequest) -> str:
    """The currency this request's pages show prices in (see the module docstring); remembered on the
    request, so every part of one page agrees."""
    cached = getattr(request, "_visitor_currency", None)
    if cached:
        return cached
    currency = (
        supported(request.GET.get(QUERY_PARAMETER))
        or chosen_currency(request)
        or guessed_currency(request)
        or DEFAULT_CURRENCY
    )
    request._visitor_currency = currency
    return currency


def remember_currency(request: HttpRequest, response: HttpResponse, currency: str) -> HttpResponse:
    """Keep the visitor's choice in the session and in a long-lived cookie (the cookie outlives the
    session, the session wins while both exist)."""
    currency = supported(currency) or DEFAULT_CURRENCY
    request.session[SESSION_KEY] = currency
    request._visitor_currency = currency
    response.set_cookie(
        COOKIE_NAME,
        currency,
        max_age=COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response
