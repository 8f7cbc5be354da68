"""Stripe Tax as the sandbox answers it: a few fixed cases, so a newcomer sees VAT on a purchase and tests
can pin what the shop records.

    GB consumer                  20% VAT, standard_rated
    DE consumer                  19% VAT, standard_rated
    EU or GB business with a VAT number (eu_vat / gb_vat)   0, reverse_charge
    anywhere else (US, ...)      0, not_collecting (the account is not registered there)

Amounts are in the currency's minor unit (cents, or yen for a zero-decimal currency), rounded half up once
on the whole taxable amount. With tax_behavior "exclusive" the tax is added to the total; with "inclusive"
it is the part of the price that is tax, and the total does not change.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

VAT_RATES = {"GB": Decimal("20"), "DE": Decimal("19")}
# The sandbox's own list, a stand-in for Stripe's.
EU_MEMBERS = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
EU_COUNTRIES = frozenset(EU_MEMBERS.split())
VAT_ID_TYPES = frozenset({"eu_vat", "gb_vat"})


@dataclass(frozen=True)
class TaxResult:
    amount: int
    taxable_amount: int
    percentage: Decimal
    reason: str
    country: str
    inclusive: bool

    def breakdown(self) -> list[dict[str, Any]]:
        """Stripe's `total_details.breakdown.taxes` for this result."""
        return [
            {
                "amount": self.amount,
                "taxability_reason": self.reason,
                "taxable_amount": self.taxable_amount,
                "rate": {
                    "id": f"txr_sandbox_{self.country.lower() or 'none'}_{self.percentage}",
                    "object": "tax_rate",
                    "active": True,
                    "country": self.country or None,
                    "description": f"VAT {self.country}",
                    "display_name": "VAT",
                    "inclusive": self.inclusive,
                    "jurisdiction": self.country or None,
                    "livemode": False,
                    "percentage": float(self.percentage),
                    "effective_percentage": float(self.percentage),
                    "state": None,
                    "tax_type": "vat",
                },
            }
        ]


SAMPLE_ADDRESSES = {
    "US": {"city": "Los Angeles", "line1": "1 Studio Way", "postal_code": "90001", "state": "CA"},
    "GB": {"city": "London", "line1": "1 Soho Square", "postal_code": "W1D 3QR", "state": None},
    "DE": {"city": "Berlin", "line1": "Studiostraße 1", "postal_code": "10115", "state": None},
}


def sample_address(country: str) -> dict[str, Any]:
    """A buyer's address in `country`, as Checkout's address form would give it."""
    fields = SAMPLE_ADDRESSES.get(
        country, {"city": "Capital", "line1": "1 Main Street", "postal_code": "1000"}
    )
    return {"state": None, **fields, "country": country, "line2": None}


# The countries the sandbox's payment page offers, each with a case of its own (see the table above).
PAGE_COUNTRIES = {"US": "United States", "GB": "United Kingdom", "DE": "Germany", "FR": "France"}


def vat_id_type(country: str) -> str:
    return "gb_vat" if country == "GB" else "eu_vat" if country in EU_COUNTRIES else ""


def has_vat_number(country: str, tax_ids: list[dict[str, Any]]) -> bool:
    in_scope = country in EU_COUNTRIES or country == "GB"
    return in_scope and any(tax_id.get("type") in VAT_ID_TYPES and tax_id.get("value") for tax_id in tax_ids)


def compute(*, amount: int, country: str, tax_ids: list[dict[str, Any]], inclusive: bool) -> TaxResult:
    """The tax on `amount` (after discounts) for a buyer in `country` with these tax IDs."""
    country = (country or "").upper()
    if has_vat_number(country, tax_ids):
        return TaxResult(0, amount, Decimal(0), "reverse_charge", country, inclusive)
    rate = VAT_RATES.get(country)
    if rate is None:
        return TaxResult(0, amount, Decimal(0), "not_collecting", country, inclusive)
    if inclusive:
        net = (Decimal(amount) * 100 / (100 + rate)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return TaxResult(amount - int(net), int(net), rate, "standard_rated", country, inclusive)
    tax = (Decimal(amount) * rate / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return TaxResult(int(tax), amount, rate, "standard_rated", country, inclusive)


def invoice_totals(invoice: dict[str, Any], customer: dict[str, Any] | None) -> None:
    """Set a draft invoice's subtotal, tax and total from its lines (the caller holds the lock). With
    `automatic_tax[enabled]` the tax is Stripe Tax's for the customer's address country and tax IDs, shown
    as `total_taxes` the way the stripe library's Invoice has them."""
    subtotal = sum(line["amount"] for line in invoice["lines"]["data"])
    invoice["subtotal"] = subtotal
    invoice["total_taxes"] = []
    added = 0
    if invoice.get("automatic_tax", {}).get("enabled"):
        inclusive = set(invoice.get("_tax_behaviors") or ["exclusive"]) == {"inclusive"}
        address = (customer or {}).get("address") or {}
        result = compute(
            amount=subtotal,
            country=str(address.get("country") or ""),
            tax_ids=(customer or {}).get("_tax_ids") or [],
            inclusive=inclusive,
        )
        invoice["total_taxes"] = [
            {
                "amount": result.amount,
                "tax_behavior": "inclusive" if inclusive else "exclusive",
                "tax_rate_details": {"tax_rate": result.breakdown()[0]["rate"]["id"]},
                "taxability_reason": result.reason,
                "taxable_amount": result.taxable_amount,
                "type": "tax_rate_details",
            }
        ]
        invoice["automatic_tax"]["status"] = "complete"
        added = 0 if inclusive else result.amount
    invoice["total"] = invoice["amount_due"] = invoice["amount_remaining"] = subtotal + added
