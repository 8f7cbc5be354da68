"""How the receipts show a sale Stripe Tax reverse-charged (no tax, taxability reason reverse_charge): from
the tax registry's checks of the order's VAT numbers (its own, or its payment request's: each check names the
order it bills, tax.models.TaxIdCheck.order_id).

Nothing is called a reverse charge on a number the registry has not confirmed: CONFIRMED once every number
checked is registered, REJECTED when the registry rejected one (payments.tax_ids and invoicing.tax_ids
then flag the order and email the buyer), CHECKING while none is final (waiting, could not be checked, or
never asked). Stripe's own verification of a number lives on its Customer's tax IDs, which Checkout's
guest customers do not have and the shop does not read.

Reads the order's fields only (no import of checkout.models, which calls this as Order.reverse_charge).
"""

from typing import Any

from tax.formats import parse_vat_number
from tax.models import TaxIdCheck

CONFIRMED = "confirmed"
CHECKING = "checking"
REJECTED = "rejected"


def state(order: Any) -> str:
    """CONFIRMED, CHECKING or REJECTED for a reverse-charged order; "" for any other."""
    if order.taxability_reason != "reverse_charge" or order.tax_cents or order.pk is None:
        return ""
    # Only the checks of the numbers the order carries now: a payer's corrected number replaces a rejected one.
    numbers = {tax_id.value for raw in order.vat_numbers.split(", ") if (tax_id := parse_vat_number(raw))}
    checks = TaxIdCheck.objects.filter(order_id=order.pk, number__in=numbers)
    results = set(checks.values_list("result", flat=True))
    if TaxIdCheck.Result.INVALID in results:
        return REJECTED
    if results and results <= {TaxIdCheck.Result.VALID}:
        return CONFIRMED
    return CHECKING
