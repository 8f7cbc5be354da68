"""Money is integer cents plus an ISO 4217 code. This module is the one place that turns it into text."""

from decimal import Decimal

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$"}


def to_decimal(cents: int) -> Decimal:
    """Cents as decimal currency units, for CSV and structured data (never floats)."""
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def format_money(cents: int, currency: str = "USD") -> str:
    """`$147` for whole amounts, `$1,234.50` otherwise; negative amounts keep their sign in front."""
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), 100)
    amount = f"{whole:,}" if fraction == 0 else f"{whole:,}.{fraction:02d}"
    code = currency.upper()
    symbol = SYMBOLS.get(code)
    if symbol is None:
        return f"{sign}{amount} {code}"
    return f"{sign}{symbol}{amount}"
