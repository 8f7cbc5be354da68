"""What the buyer saw and paid when Stripe's Adaptive Pricing converted the order (settings
STRIPE_ADAPTIVE_PRICING): the Checkout Session's `presentment_details`, kept on the order beside its own
currency and amount, which stay what the academy priced and is paid in."""

from collections.abc import Mapping
from typing import Any

from catalog.money import MAX_AMOUNT, format_money
from checkout import states
from checkout.models import Order
from common.text import single_line


def capture_presentment(order: Order, session: Mapping[str, Any], *, source: str) -> None:
    """Record the presentment currency and amount Stripe reports, once they differ from the order's own
    (a session Stripe did not convert reports the order's currency, or nothing); a change is noted in the
    order's history. Values that are not a currency code and an amount Stripe could charge are ignored."""
    details = session.get("presentment_details")
    if not isinstance(details, Mapping):
        return
    currency = single_line(details.get("presentment_currency"), 3).upper()
    amount = details.get("presentment_amount")
    if not (len(currency) == 3 and currency.isalpha()) or currency == order.currency:
        return
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 <= amount <= MAX_AMOUNT:
        return
    if (order.presentment_currency, order.presentment_amount_cents) == (currency, amount):
        return
    order.presentment_currency = currency
    order.presentment_amount_cents = amount
    order.save(update_fields=["presentment_currency", "presentment_amount_cents", "updated_at"])
    states.note(
        order,
        "currency",
        f"Stripe converted the order for the buyer: they paid {format_money(amount, currency)} "
        f"for {format_money(order.total_cents, order.currency)} (Adaptive Pricing).",
        source=source,
    )
