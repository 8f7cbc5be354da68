from django import template

from catalog.money import format_money

register = template.Library()


@register.filter
def money(cents: int | None, currency: str = "USD") -> str:
    """`{{ product.price_cents|money:product.currency }}`"""
    if cents is None:
        return ""
    return format_money(cents, currency)
