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
