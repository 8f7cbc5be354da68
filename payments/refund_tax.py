"""The tax part of each refund: the one rule, derived from the order's tax in proportion to what was
refunded, in integer minor units.

The rule. Take the order's counted refunds (pending, requires_action, succeeded) in the order's currency,
oldest first (Stripe's creation time, then our id). After each one, the tax refunded so far is the order's
tax × the amount refunded so far ÷ the order's total, rounded half up to a whole minor unit; a refund's tax
part is that figure less the one before it. So the parts of a fully refunded order add up to its tax
exactly (the last refund takes what rounding left), each part is at most its refund's amount, and a
zero-decimal currency (JPY) is rounded to whole yen like any other. A refund that does not count (failed,
canceled) or is in another currency has no tax part; when one stops counting, the later ones are worked out
again. Inclusive and exclusive prices alike: the total includes the tax either way.

A refund that gives back only VAT (`Refund.tax_only`, set when an invoice correction adds a VAT number after
purchase and refunds the VAT through its credit note) is all tax: its part is its amount, up to the tax not
yet given back by such refunds, and it is taken first, whenever it was made. The other refunds share what is
left pro rata as above: the order's tax less the VAT-only parts, over its total less the VAT-only amounts.
So an order of $174.93 with $27.93 VAT whose VAT was refunded has a refund with a tax part of $27.93, and a
later refund of the remaining $147.00 has none.

Stripe reports no tax on a refund of a Checkout payment; credit notes on invoices carry their own tax as
Stripe computed it (credit_notes), shown beside the refund in the money-movement export.
"""

from collections.abc import Sequence

from checkout.models import Order
from payments.models import Refund


def _rounded_share(tax: int, part: int, whole: int) -> int:
    """tax × part ÷ whole, rounded half up, in integers (no floats, no Decimal context to get wrong)."""
    return (2 * tax * part + whole) // (2 * whole)


def tax_parts(tax_cents: int, total_cents: int, amounts: Sequence[int]) -> list[int]:
    """The tax part of each refund amount, in the order given (oldest first). Amounts past the total count
    up to the total only."""
    if tax_cents <= 0 or total_cents <= 0:
        return [0] * len(amounts)
    parts, refunded, before = [], 0, 0
    for amount in amounts:
        refunded = min(refunded + max(amount, 0), total_cents)
        so_far = _rounded_share(tax_cents, refunded, total_cents)
        parts.append(so_far - before)
        before = so_far
    return parts


def allocate_refund_tax(order: Order) -> dict[int, int]:
    """Store the tax part of each of the order's refunds by the rule above (the caller holds the order's
    lock); saves only the refunds whose part changed. Returns each refund's part by its id."""
    refunds = list(order.refunds.order_by("created", "pk"))
    counted = [r for r in refunds if r.status in Refund.COUNTED_STATUSES and r.currency == order.currency]
    parts: dict[int, int] = {}
    tax_left, total_left = max(order.tax_cents, 0), max(order.total_cents, 0)
    for refund in (r for r in counted if r.tax_only):
        parts[refund.pk] = min(refund.amount_cents, tax_left)
        tax_left -= parts[refund.pk]
        total_left = max(total_left - refund.amount_cents, 0)
    others = [r for r in counted if not r.tax_only]
    parts.update(
        zip(
            (r.pk for r in others),
            tax_parts(tax_left, total_left, [r.amount_cents for r in others]),
            strict=True,
        )
    )
    for refund in refunds:
        part = parts.get(refund.pk, 0)
        if refund.tax_cents != part:
            refund.tax_cents = part
            refund.save(update_fields=["tax_cents", "updated_at"])
    return {refund.pk: parts.get(refund.pk, 0) for refund in refunds}
