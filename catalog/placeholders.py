"""Price placeholders such as {price:level-i} in staff-written text (FAQ answers, site pages), filled from
the catalogue so no text states a price the catalogue no longer has.

A placeholder naming an unknown field or a product that is not on sale is left as written (and logged)
rather than breaking the page; admin forms refuse to save such placeholders, and ones written almost right
such as {price: level-i}, in the first place.
"""

import logging
import re
from collections.abc import Mapping

from catalog.models import Product
from catalog.money import format_money

logger = logging.getLogger(__name__)

PLACEHOLDER = re.compile(r"\{([a-z_]+):([a-z0-9-]+)\}")
FIELDS = ("price", "separate_value", "savings", "savings_percent")
# Text in braces (or a brace left open to the end of the line), to find placeholders written almost right.
BRACED = re.compile(r"\{[^{}\n]*\}?")


def placeholder_value(field: str, product: Product) -> str | None:
    """The text for one placeholder, or None when the field does not apply to this product.

    In the currency the products were annotated with (the visitor's: catalog.selectors.products_by_slug):
    a product not sold in it states its own price, and a bundle there makes no savings claim."""
    currency = getattr(product, "offer_currency", None) or product.currency
    price = product.price_in(currency)
    if field == "price":
        if price is None:
            return format_money(product.price_cents, product.currency)
        return format_money(price, currency)
    pricing = product.pricing
    if pricing is None:
        return None
    if field == "separate_value":
        return format_money(pricing.separate_value_cents, currency)
    if field == "savings":
        return format_money(pricing.claimed_savings_cents, currency)
    if field == "savings_percent":
        return f"{pricing.savings_percent}%"
    return None


def fill_prices(text: str, products: Mapping[str, Product]) -> str:
    def replace(match: re.Match) -> str:
        field, slug = match.groups()
        product = products.get(slug)
        value = placeholder_value(field, product) if product is not None else None
        if value is None:
            logger.warning("Price placeholder %s cannot be filled; left as written", match.group(0))
            return match.group(0)
        return value

    return PLACEHOLDER.sub(replace, text)


def unknown_placeholders(text: str, products: Mapping[str, Product]) -> list[str]:
    """Placeholders in `text` that would not be filled with these products."""
    return [
        match.group(0)
        for match in PLACEHOLDER.finditer(text)
        if match.group(2) not in products
        or placeholder_value(match.group(1), products[match.group(2)]) is None
    ]


def malformed_placeholders(text: str) -> list[str]:
    """Braced text meant as a placeholder (it has a colon or starts with a field name) but not written as
    {field:product-slug}: `{price: level-i}`, `{Price:level-i}`, `{price:level-i`. Buyers would see these
    raw. Other braces, such as `{curly}`, are ordinary text."""
    malformed = []
    for match in BRACED.finditer(text):
        written = match.group(0)
        if PLACEHOLDER.fullmatch(written):
            continue
        inner = written.strip("{}").strip().lower()
        if ":" in inner or inner.startswith(FIELDS):
            malformed.append(written.rstrip())
    return list(dict.fromkeys(malformed))
