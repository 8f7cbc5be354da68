"""schema.org structured data for the public pages, as plain dicts that the `ld_json` filter prints."""

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse

from catalog.models import Product
from catalog.money import to_decimal


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def breadcrumb_list(trail: Iterable[tuple[str, str]]) -> dict:
    """`trail` is (name, path) from the home page down to the current page."""
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": absolute(path)}
            for i, (name, path) in enumerate(trail, start=1)
        ],
    }


def product_offer(product: Product) -> dict:
    """The product and its offer in the currency the page shows (its queryset's annotation); a product not
    sold in that currency is described with its own price, which is what can be bought."""
    currency = getattr(product, "offer_currency", None) or product.currency
    price = product.price_in(currency)
    if price is None:
        currency, price = product.currency, product.price_cents
    return {
        "@type": "Product",
        "name": product.name,
        "description": product.tagline,
        "sku": product.slug,
        "brand": {"@type": "Brand", "name": "Creative Project Management Academy"},
        "url": absolute(product.get_absolute_url()),
        "offers": {
            "@type": "Offer",
            "price": str(to_decimal(price, currency)),
            "priceCurrency": currency,
            "availability": f"https://schema.org/{'InStock' if product.can_be_bought else 'OutOfStock'}",
            "url": absolute(product.get_absolute_url()),
        },
    }


def faq_page(answers: Iterable) -> dict:
    return {
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": answer.question,
                "acceptedAnswer": {"@type": "Answer", "text": answer.text},
            }
            for answer in answers
        ],
    }


def page_context(
    title: str, description: str, trail: Iterable[tuple[str, str]] = (), data: Iterable[dict] = ()
) -> dict:
    """What every public page's head needs: a unique title and description, the visible breadcrumb trail
    below the home page (name, path), and structured data (a BreadcrumbList is added for the trail)."""
    trail = [("Home", reverse("catalog:home")), *trail]
    structured = list(data)
    if len(trail) > 1:
        structured.append(breadcrumb_list(trail))
    return {
        "page_title": title,
        "page_description": description,
        "breadcrumbs": trail if len(trail) > 1 else [],
        "structured_data": structured,
    }
