"""`{% faq_block %}`: a block of published questions on any page, prices filled from the catalogue.

The FAQ reads the catalogue, never the other way round: catalogue pages name the questions they want (a
topic or slugs) in their templates, and this tag fetches and renders them.
"""

from django import template

from catalog.currency import visitor_currency
from catalog.selectors import products_by_slug
from faq.selectors import published_answers

register = template.Library()


@register.inclusion_tag("includes/_faq.html", takes_context=True)
def faq_block(context, topic: str | None = None, slugs=None, heading: str = "") -> dict:
    # A view that already fetched the catalogue passes it on as `catalogue`, sparing a query.
    request = context.get("request")
    products = context.get("catalogue") or products_by_slug(visitor_currency(request) if request else "")
    return {"faq": published_answers(products, topic=topic, slugs=slugs), "faq_heading": heading}
