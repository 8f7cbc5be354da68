"""Refunds and disputes: one record per Stripe refund or dispute, keyed by its id, with Stripe's dates; the
order's refunded total and status derive from all of them (payments.status)."""

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog.money import format_money
from checkout import states
from checkout.models import Order
from checkout.stripe_values import object_id, stripe_time
from common.text import single_line
from payments import refund_receipts
from payments.models import Dispute, Refund
from payments.review import flag
from payments.selectors import locked_order_for_payment_intent, locked_order_named
from payments.status import derive_status, order_changed, settle

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
    record: Mapping[str, Any], kind: str, reference: str, session_intent_id: str, *, source: str
) -> Order | None:
    """The locked order whose PaymentIntent the refund or dispute is on. The reference alone proves
    nothing: an order it names whose PaymentIntent differs is flagged, and nothing is recorded on it."""
    intent_id = object_id(record.get("payment_intent"))
    order = locked_order_for_payment_intent(intent_id, reference, session_intent_id=session_intent_id)
    named = locked_order_named(reference) if order is None else None
    if named is not None:
        flag(
            named,
            f"{kind} {object_id(record.get('id'))} on PaymentIntent {intent_id or '(none)'} names this order, "
            "but that PaymentIntent is not the order's payment: not recorded.",
            source=source,
        )
    return order


@transaction.atomic
def converge_refund(
    refund: Mapping[str, Any], *, source: str, reference: str = "", session_intent_id: str = ""
) -> Order | None:
    """Record one Stripe refund (by its id) and derive the order's refunded total and status from all of
    them. A refund on an order that never completed is recorded and flagged; one on a PaymentIntent that is
    not the order's is only flagged."""
    refund_id = object_id(refund.get("id"))
    order = _owner(refund, "Refund", reference, session_intent_id, source=source)
    if order is None or not refund_id:
        logger.warning("refund %s (%s) matches no order", refund_id, source)
        return None
    before = order.status
    currency = single_line(refund.get("currency"), 3).upper()
    values = {
        "stripe_charge_id": object_id(refund.get("charge")),
        "amount_cents": refund.get("amount") if isinstance(refund.get("amount"), int) else 0,
        "currency": currency,
        "status": single_line(refund.get("status"), 30),
        "reason": single_line(refund.get("reason"), 100),
        "stripe_balance_transaction_id": object_id(refund.get("balance_transaction")),
    }
    record, created = Refund.objects.get_or_create(
        stripe_refund_id=refund_id,
        defaults={"order": order, "created": stripe_time(refund.get("created")) or timezone.now(), **values},
    )
    changed = _update(record, values)
    if created or changed:
        states.note(
            order,
            "refund",
            f"Refund {refund_id} {record.status}: {format_money(record.amount_cents, record.currency or order.currency)}.",
            source=source,
        )
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
    dispute: Mapping[str, Any], *, source: str, reference: str = "", session_intent_id: str = ""
) -> Order | None:
    """Record one Stripe dispute with the dates its funds were withdrawn and reinstated; flag the order."""
    dispute_id = object_id(dispute.get("id"))
    order = _owner(dispute, "Dispute", reference, session_intent_id, source=source)
    if order is None or not dispute_id:
        logger.warning("dispute %s (%s) matches no order", dispute_id, source)
        return None
    withdrawn = reinstated = None
    withdrawal_id = reinstatement_id = ""
    for transaction_ in dispute.get("balance_transactions") or []:
        if not isinstance(transaction_, Mapping):
            continue
        moment = stripe_time(transaction_.get("created"))
        amount = transaction_.get("amount") or 0
        if isinstance(amount, int) and amount < 0 and withdrawn is None:
            withdrawn, withdrawal_id = moment, object_id(transaction_)
        elif isinstance(amount, int) and amount > 0 and reinstated is None:
            reinstated, reinstatement_id = moment, object_id(transaction_)
    values = {
        "stripe_charge_id": object_id(dispute.get("charge")),
        "amount_cents": dispute.get("amount") if isinstance(dispute.get("amount"), int) else 0,
        "currency": single_line(dispute.get("currency"), 3).upper(),
        "status": single_line(dispute.get("status"), 40),
        "reason": single_line(dispute.get("reason"), 100),
        "funds_withdrawn_at": withdrawn,
        "funds_reinstated_at": reinstated,
        "withdrawal_balance_transaction_id": withdrawal_id,
        "reinstatement_balance_transaction_id": reinstatement_id,
    }
    record, created = Dispute.objects.get_or_create(
        stripe_dispute_id=dispute_id,
        defaults={"order": order, "created": stripe_time(dispute.get("created")) or timezone.now(), **values},
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
    return order
