"""`{% bundle_completion product %}`: on the Bundle's product and review pages, the signed-in buyer's price
for completing it (access.credit), or for everyone else a line saying owners of a part pay less.

The session is read only when the browser sent a session cookie, so the anonymous page stays the same for
every visitor (and stays in the public page cache)."""

from django import template
from django.conf import settings

from access import sessions
from access.credit import bundle_offer
from catalog.currency import visitor_currency
from checkout import consent

register = template.Library()


def signed_in_email(request) -> str:
    """A full sign-in's address: the price comes from every order, which a personal link does not open."""
    if request is None or settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return ""
    return sessions.signed_in_email(request)


@register.inclusion_tag("access/_bundle_completion.html", takes_context=True)
def bundle_completion(context, product) -> dict:
    if product is None or not product.is_bundle:
        return {"show": False}
    request = context.get("request")
    email = signed_in_email(request)
    # In the page's currency: the one its products were annotated with, else the visitor's.
    currency = getattr(product, "offer_currency", None) or (visitor_currency(request) if request else "")
    offer = bundle_offer(email=email, bundle=product, currency=currency) if email else None
    return {
        "show": True,
        "signed_in": bool(email),
        "offer": offer,
        "product": product,
        "csrf_token": context.get("csrf_token"),
        "consent_text": consent.TEXT,
    }
