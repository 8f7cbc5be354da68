from django import template

from catalog.money import CURRENCY_NAMES, format_money

register = template.Library()


@register.filter
def money(cents: int | None, currency: str = "USD") -> str:
    """`{{ product.price_cents|money:product.currency }}`"""
    if cents is None:
        return ""
    return format_money(cents, currency)


@register.filter
def price_in(product, currency: str) -> str:
    """`{{ component|price_in:product.offer_currency }}`: the product's price in that currency, formatted, or
    "" when it has none there."""
    cents = product.price_in(currency) if product is not None and currency else None
    return "" if cents is None else format_money(cents, currency)


@register.filter
def currency_name(code: str) -> str:
    """`GBP` as "pounds sterling"; a code the shop does not sell in as itself."""
    return CURRENCY_NAMES.get(str(code).upper(), str(code))
