"""Our fields for what a payment, refund or dispute settled as (checkout.stripe_values.Settlement: the
amount and currency it settled in and Stripe's exchange rate, read once at the Stripe boundary)."""

from typing import Any

from checkout.stripe_values import Settlement


def settlement_fields(
    settled: Settlement | None, *, amount_field: str = "settlement_cents"
) -> dict[str, Any]:
    """The model fields for a settlement; none when Stripe's balance transaction was not read."""
    if settled is None:
        return {}
    return {
        amount_field: settled.cents,
        "settlement_currency": settled.currency,
        "exchange_rate": settled.exchange_rate,
    }
