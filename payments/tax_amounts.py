"""Tax as Stripe Tax reports it on a Checkout Session: the amount, why (the taxability reason), and whether
the figures add up. The session is fetched with `total_details.breakdown` expanded (checkout.stripe_client).

A figure that does not add up (the per-rate amounts against the tax total, or subtotal, discount and tax
against the amount paid) is never recorded: payments.sessions flags the order for review instead.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from catalog.money import format_money
from checkout import states
from checkout.models import Order
from common.text import single_line
from payments.refund_tax import allocate_refund_tax
from payments.review import flag


@dataclass(frozen=True)
class ReportedTax:
    amount: int
    discount: int
    reason: str  # Stripe's taxability_reason; several distinct ones joined by commas
    breakdown_amount: int | None  # the per-rate amounts added up; None when Stripe gave no breakdown


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def reported_tax(session: Mapping[str, Any]) -> ReportedTax:
    totals = session.get("total_details") or {}
    breakdown = totals.get("breakdown") if isinstance(totals.get("breakdown"), Mapping) else None
    taxes = [t for t in (breakdown or {}).get("taxes") or [] if isinstance(t, Mapping)]
    reasons = dict.fromkeys(single_line(t.get("taxability_reason"), 40) for t in taxes)
    amounts = [_whole(t.get("amount")) for t in taxes]
    breakdown_amount = None
    if breakdown is not None:
        breakdown_amount = -1 if None in amounts else sum(a for a in amounts if a is not None)
    return ReportedTax(
        amount=totals.get("amount_tax") or 0,
        discount=totals.get("amount_discount") or 0,
        reason=",".join(r for r in reasons if r)[:40],
        breakdown_amount=breakdown_amount,
    )


def expected_total(order: Order, tax: ReportedTax) -> int:
    """What the buyer should have paid: tax is added to prices before tax, and already in prices with it."""
    added = 0 if order.tax_behavior == "inclusive" else tax.amount
    return order.subtotal_cents - tax.discount + added


def breakdown_problem(session: Mapping[str, Any], order: Order) -> str:
    """Why the per-rate tax amounts disagree with the session's tax total (empty when they agree)."""
    tax = reported_tax(session)
    if tax.breakdown_amount is None or tax.breakdown_amount == tax.amount:
        return ""
    shown = format_money(tax.breakdown_amount, order.currency) if tax.breakdown_amount >= 0 else "unreadable"
    return (
        f"Stripe session {single_line(session.get('id'), 255)} reports tax "
        f"{format_money(tax.amount, order.currency)} but its tax lines add up to {shown}: tax not recorded."
    )


def record_tax(order: Order, session: Mapping[str, Any], *, source: str) -> None:
    """Store the tax Stripe charged on the paid order (the caller holds its lock and has checked the
    figures), with a history row when anything changed."""
    tax = reported_tax(session)
    # A session read without its breakdown (never by our fetches) says nothing of the reason: keep ours.
    reason = tax.reason if tax.breakdown_amount is not None else order.taxability_reason
    changes = {"tax_cents": tax.amount, "taxability_reason": reason}
    changed = [name for name, value in changes.items() if getattr(order, name) != value]
    if not changed:
        return
    for name in changed:
        setattr(order, name, changes[name])
    order.save(update_fields=changed)
    allocate_refund_tax(order)  # a refund recorded before the tax (events out of order) gets its part now
    words = [format_money(tax.amount, order.currency), order.tax_behavior or "exclusive"]
    words += [w for w in (reason, order.billing_country, order.tax_ids) if w]
    states.note(order, "tax", f"Tax recorded from Stripe: {', '.join(words)}.", source=source)


@transaction.atomic
def record_invoice_tax(order_id: int, invoice: Mapping[str, Any], *, source: str) -> None:
    """The tax Stripe Tax put on a payment request's finalized invoice, stored on its order with the total
    the payer now owes (what the paid invoice is checked against). Figures that do not add up flag the order
    and change nothing."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if invoice.get("status") in (None, "draft") or order.money_received:
        return
    taxes = [t for t in invoice.get("total_taxes") or [] if isinstance(t, Mapping)]
    amounts = [_whole(t.get("amount")) for t in taxes]
    subtotal, total = _whole(invoice.get("subtotal")), _whole(invoice.get("total"))
    amount = sum(a for a in amounts if a is not None)
    added = 0 if order.tax_behavior == "inclusive" else amount
    if None in amounts or subtotal is None or total is None or total != subtotal + added:
        flag(
            order,
            f"Invoice {single_line(invoice.get('id'), 255)} reports subtotal {subtotal}, tax {amount} and total "
            f"{total}, which do not add up: tax not recorded.",
            source=source,
        )
        return
    reasons = dict.fromkeys(single_line(t.get("taxability_reason"), 40) for t in taxes)
    changes = {
        "tax_cents": amount,
        "total_cents": total,
        "taxability_reason": ",".join(r for r in reasons if r)[:40],
    }
    changed = [name for name, value in changes.items() if getattr(order, name) != value]
    if not changed:
        return
    for name in changed:
        setattr(order, name, changes[name])
    order.save(update_fields=[*changed, "updated_at"])
    allocate_refund_tax(order)
    states.note(
        order,
        "tax",
        f"Tax on invoice {single_line(invoice.get('id'), 255)}: {format_money(amount, order.currency)}"
        f"{', ' + changes['taxability_reason'] if changes['taxability_reason'] else ''}; total "
        f"{format_money(total, order.currency)}.",
        source=source,
    )
