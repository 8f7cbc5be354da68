from django.conf import settings

from catalog.currency import visitor_currency
from catalog.money import CURRENCY_NAMES, SHOP_CURRENCIES, SYMBOLS
from catalog.tax_codes import price_note

CURRENCY_CHOICES = [(code, f"{SYMBOLS[code]} {code}", CURRENCY_NAMES[code]) for code in SHOP_CURRENCIES]


def site(request) -> dict:
    # PRICE_TAX_NOTE: "plus VAT where it applies" or "including VAT", as settings.TAX_BEHAVIOR has it.
    # CURRENCY: what this page shows prices in (catalog.currency); the header's switch offers the others.
    currency = visitor_currency(request)
    return {
        "SITE_URL": settings.SITE_URL,
        "PRICE_TAX_NOTE": price_note(settings.TAX_BEHAVIOR),
        "CURRENCY": currency,
        "CURRENCY_NAME": CURRENCY_NAMES[currency],
        "CURRENCY_CHOICES": CURRENCY_CHOICES,
    }
