"""What an order line's price may be told from outside: an adjustment another app computed, and the refusal
when a product has no price in the order's currency."""

from dataclasses import dataclass


class NotSoldInCurrency(ValueError):
    """The product has no price (or a zero one) in the order's currency: it is not sold there, and nothing
    was written. The message says so, for the buyer."""


@dataclass(frozen=True)
class PriceAdjustment:
    """An amount taken off one line's list price, computed by another app (the Bundle completion credit):
    checkout stores it on the line, shows it and charges the rest."""

    amount_cents: int
    title: str  # after the product's name: "CPMA Bundle, completing your Bundle"
    label: str  # the adjustment line of a receipt: "credit for CPMA Level I bought on 4 Dec 2026"
    sources: tuple[str, ...] = ()
