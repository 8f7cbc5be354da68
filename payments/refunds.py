"""Refunds and disputes: one record per Stripe refund or dispute, keyed by its id, with Stripe's dates; the
order's refunded total and status derive from all of them (payments.status), each refund's tax part from
the order's tax (payments.refund_tax)."""

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog.money import format_money
from checkout import states
from checkout.models import Order
from checkout.stripe_values import DisputeValue, RefundValue
from payments import refund_receipts
from payments.models import Dispute, Refund
from payments.refund_tax import allocate_refund_tax
from payments.review import flag
from payments.selectors import locked_order_for_payment_intent, locked_order_named
from payments.settlement import settlement_fields
from payments.status import derive_status, money_returned, order_changed, settle

logger = logging.getLogger("checkout")

KEEP_EMPTY = frozenset({"stripe_charge_id", "reason", "status", "amount_cents", "currency"})


def _update(record: Refund | Dispute, values: dict[str, Any]) -> list[str]:
    """Copy Stripe's current values onto a money record; save and return the fields that changed."""
    changed = [field for field, value in values.items() if getattr(record, field) != value]
    if changed:
        for field in changed:
            setattr(record, field, values[field])
        record.save(update_fields=[*changed, "updated_at"])
    return changed


def _owner(
    record: RefundValue | DisputeValue, kind: str, reference: str, session_intent_id: str, *, source: str
) -> Order | None:
    """The locked order whose PaymentIntent the refund or dispute is on. The reference alone proves
    nothing: an order it names whose PaymentIntent differs is flagged, and nothing is recorded on it."""
    intent_id = record.payment_intent_id
    order = locked_order_for_payment_intent(intent_id, reference, session_intent_id=session_intent_id)
    named = locked_order_named(reference) if order is None else None
    if named is not None:
        flag(
            named,
            f"{kind} {record.id} on PaymentIntent {intent_id or '(none)'} names this order, "
            "but that PaymentIntent is not the order's payment: not recorded.",
            source=source,
        )
    return order


@transaction.atomic
def converge_refund(
    refund: RefundValue,
    *,
    source: str,
    reference: str = "",
    session_intent_id: str = "",
    tax_only: bool = False,
) -> Order | None:
    """Record one Stripe refund (by its id) and derive the order's refunded total and status from all of
    them. A refund on an order that never completed is recorded and flagged; one on a PaymentIntent that is
    not the order's is only flagged. `tax_only`: the refund gives back only VAT (an invoice correction says
    so; payments.refund_tax); once marked, a refund stays marked whoever converges it later."""
    refund_id = refund.id
    order = _owner(refund, "Refund", reference, session_intent_id, source=source)
    if order is None or not refund_id:
        logger.warning("refund %s (%s) matches no order", refund_id, source)
        return None
    before = order.status
    currency = refund.amount.currency
    values = {
        "stripe_charge_id": refund.charge_id,
        "amount_cents": refund.amount.amount,
        "currency": currency,
        "status": refund.status,
        "reason": refund.reason,
        "stripe_balance_transaction_id": refund.balance_transaction_id,
    }
    # What it settled as, when read with its balance transaction expanded (payments.sync lists refunds so).
    values.update(settlement_fields(refund.settlement))
    record, created = Refund.objects.get_or_create(
        stripe_refund_id=refund_id,
        defaults={"order": order, "created": refund.created or timezone.now(), **values},
    )
    changed = _update(record, {**values, **({"tax_only": True} if tax_only else {})})
    tax_part = allocate_refund_tax(order).get(record.pk, 0)
    if created or changed:
        money = format_money(record.amount_cents, record.currency or order.currency)
        of_which = f" (tax part {format_money(tax_part, order.currency)})" if tax_part else ""
        states.note(order, "refund", f"Refund {refund_id} {record.status}: {money}{of_which}.", source=source)
        money_returned(order)
    if currency != order.currency:
        flag(order, f"Refund {refund_id} is in {currency}, the order in {order.currency}.", source=source)
    elif order.status in states.FINISHED_UNPAID:
        flag(
            order,
            f"Refund {refund_id} of {format_money(record.amount_cents, order.currency)} on an order that "
            "never completed.",
            source=source,
        )
    settle(order, derive_status(order), source=source, before=before)
    if record.status == "succeeded" and (created or "status" in changed) and order.money_received:
        # The buyer's refund receipt, once per refund (an order that never completed is staff's case).
        refund_receipts.send_refund_receipt.enqueue(record.pk)
    return order


@transaction.atomic
def converge_dispute(
    dispute: DisputeValue, *, source: str, reference: str = "", session_intent_id: str = ""
) -> Order | None:
    """Record one Stripe dispute with the dates its funds were withdrawn and reinstated; flag the order."""
    dispute_id = dispute.id
    order = _owner(dispute, "Dispute", reference, session_intent_id, source=source)
    if order is None or not dispute_id:
        logger.warning("dispute %s (%s) matches no order", dispute_id, source)
        return None
    values = {
        "stripe_charge_id": dispute.charge_id,
        "amount_cents": dispute.amount.amount,
        "currency": dispute.amount.currency,
        "status": dispute.status,
        "reason": dispute.reason,
        "funds_withdrawn_at": dispute.funds_withdrawn_at,
        "funds_reinstated_at": dispute.funds_reinstated_at,
        "withdrawal_balance_transaction_id": dispute.withdrawal_id,
        "reinstatement_balance_transaction_id": dispute.reinstatement_id,
        # Both transactions settle in the account's currency; the reinstatement's rate is the later one.
        **settlement_fields(dispute.withdrawal_settlement, amount_field="withdrawal_settlement_cents"),
        **settlement_fields(dispute.reinstatement_settlement, amount_field="reinstatement_settlement_cents"),
    }
    record, created = Dispute.objects.get_or_create(
        stripe_dispute_id=dispute_id,
        defaults={"order": order, "created": dispute.created or timezone.now(), **values},
    )
    # A date or transaction Stripe showed once is kept if a later read lacks it.
    changed = _update(
        record, {field: value for field, value in values.items() if value or field in KEEP_EMPTY}
    )
    if created or changed:
        states.note(
            order,
            "dispute",
            f"Dispute {dispute_id} {record.status}: "
            f"{format_money(record.amount_cents, record.currency or order.currency)} ({record.reason}).",
            source=source,
        )
    flag(
        order,
        f"Dispute {dispute_id} of {format_money(record.amount_cents, record.currency or order.currency)} "
        "opened by the buyer's bank.",
        source=source,
    )
    if created or "status" in changed:
        # A dispute lost (or won) may change what the order gives; the apps that follow orders decide.
        order_changed(order)
        money_returned(order)
    return order
