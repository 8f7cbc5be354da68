"""Money is an integer count of the currency's smallest unit (cents for USD, yen for JPY, as Stripe's
`unit_amount` takes it) plus an ISO 4217 code. This module is the one place that turns it into text."""

from decimal import Decimal

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$", "JPY": "¥"}

# Stripe's zero-decimal currencies: amounts are whole units, there is no "cents" part.
# https://docs.stripe.com/currencies#zero-decimal
ZERO_DECIMAL_CURRENCIES = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)


# The currencies Stripe can charge in (its "presentment currencies"), https://docs.stripe.com/currencies.
# Staff choose a product's currency from these, so a price never reaches Stripe in a code it refuses.
# USD first (the catalogue's own), then alphabetical.
STRIPE_CURRENCIES = tuple(
    """
    USD AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BIF BMD BND BOB BRL BSD BWP BYN BZD CAD CDF
    CHF CLP CNY COP CRC CVE CZK DJF DKK DOP DZD EGP ETB EUR FJD FKP GBP GEL GIP GMD GNF GTQ GYD HKD HNL HTG
    HUF IDR ILS INR ISK JMD JPY KES KGS KHR KMF KRW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP
    MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD
    SCR SEK SGD SHP SLE SOS SRD STD SZL THB TJS TOP TRY TTD TWD TZS UAH UGX UYU UZS VND VUV WST XAF XCD XCG
    XOF XPF YER ZAR ZMW
    """.split()  # noqa: SIM905 - a block of codes reads better than 135 quoted strings
)
# The currencies the shop sells in: what admin offers staff for a product (one already priced in another
# Stripe currency keeps its own as a choice). Finance reads whatever currencies the records hold.
SHOP_CURRENCIES = ("USD", "GBP", "EUR")
# The catalogue's own currency: every product's price field, and what a visitor sees until they choose.
DEFAULT_CURRENCY = "USD"
# The currencies a product may have a price in beside its own (ProductPrice rows): the shop's others.
EXTRA_PRICE_CURRENCIES = ("GBP", "EUR")
# What the currency switch calls each shop currency.
CURRENCY_NAMES = {"USD": "US dollars", "GBP": "pounds sterling", "EUR": "euros"}
# Stripe takes amounts of at most eight digits in the smallest unit ($999,999.99, ¥99,999,999).
MAX_AMOUNT = 99_999_999
CURRENCY_CHOICES = [(code, code) for code in STRIPE_CURRENCIES]


def minor_units(currency: str) -> int:
    """How many of the smallest unit make one whole unit: 1 for JPY, 100 for USD."""
    return 1 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 100


def to_decimal(cents: int, currency: str = "USD") -> Decimal:
    """An amount in whole currency units, for CSV and structured data (never floats)."""
    if minor_units(currency) == 1:
        return Decimal(cents)
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def decimal_text(cents: int, currency: str = "USD") -> str:
    """`str(to_decimal(cents, currency))`, made with integer arithmetic: the CSV exports call it for every
    amount of every row, where building Decimals dominated the time."""
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        return str(cents)
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), 100)
    return f"{sign}{whole}.{fraction:02d}"


def to_minor_units(amount: Decimal, currency: str) -> int:
    """An amount typed in whole units (`147`, `147.00`) as the integer Stripe takes (14700 for USD, 147 for
    JPY). Raises ValueError when the amount has more decimals than the currency has."""
    units = minor_units(currency)
    minor = amount * units
    if minor != minor.to_integral_value():
        if units == 1:
            raise ValueError(f"{currency.upper()} has no smaller unit: enter a whole amount.")
        raise ValueError(f"{currency.upper()} has two decimal places at most.")
    return int(minor)


def format_money(cents: int, currency: str = "USD") -> str:
    """`$147` for whole amounts, `$1,234.50` otherwise, `¥14,700` in a zero-decimal currency; negative
    amounts keep their sign in front."""
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), minor_units(currency))
    amount = f"{whole:,}" if fraction == 0 else f"{whole:,}.{fraction:02d}"
    code = currency.upper()
    symbol = SYMBOLS.get(code)
    if symbol is None:
        return f"{sign}{amount} {code}"
    return f"{sign}{symbol}{amount}"


def money_display(field: str, description: str, currency_field: str = "currency"):
    """An admin column or read-only field (set it as an attribute of the admin class) that shows the
    integer `field` as money in the row's currency, "-" while unknown. Sorted by the field itself."""

    def show(_admin, obj) -> str:
        cents = getattr(obj, field)
        currency = getattr(obj, currency_field, "") or "USD"
        return "-" if cents is None else format_money(cents, currency)

    show.short_description = description  # what @admin.display sets, without this module importing admin
    show.admin_order_field = field
    return show
