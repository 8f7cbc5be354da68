"""Bring an order in line with what Stripe says now: payments, refunds and disputes as dated records.

Every function takes Stripe objects as plain dicts fetched from Stripe's API (never an event's snapshot),
locks the order row, writes or updates the money records keyed by their Stripe ids, derives the order's
status and totals from them, writes the history and enqueues follow-up tasks in the same transaction. Run
them in any order, any number of times: the end state is the same.
"""

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from catalog.money import format_money
from checkout import states
from checkout.models import Dispute, Order, Payment, Refund
from checkout.review import flag
from common.text import email_address, single_line

logger = logging.getLogger("checkout")

Status = Order.Status
# Refunds that take money back from the buyer's payment (Stripe counts pending ones in amount_refunded).
COUNTED_REFUND_STATUSES = ("pending", "requires_action", "succeeded")
FAILED_PAYMENT_INTENT_STATUSES = ("requires_payment_method", "canceled")


def object_id(value: Any) -> str:
    """An expandable Stripe field is an id string, or the object itself when expanded."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return single_line(value, 255)


def stripe_time(timestamp: Any) -> dt.datetime | None:
    if isinstance(timestamp, int) and not isinstance(timestamp, bool) and 0 < timestamp < 253_402_300_800:
        return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)
    return None


INVOICE_FIELDS = [
    "company_name",
    "tax_ids",
    "billing_country",
    "invoice_id",
    "invoice_number",
    "invoice_url",
    "invoice_pdf_url",
]


@transaction.atomic
def converge_invoice(invoice: Mapping[str, Any], *, source: str) -> Order | None:
    """Store the invoice Stripe made after payment on its order (found by the reference in its metadata)."""
    reference = single_line((invoice.get("metadata") or {}).get("order_reference"), 20)
    order = Order.objects.select_for_update().filter(reference=reference).first() if reference else None
    if order is None:
        logger.warning("invoice %s (%s) matches no order", object_id(invoice.get("id")), source)
        return None
    before = (order.invoice_number, order.invoice_pdf_url)
    _capture_invoice(order, invoice)
    order.save(update_fields=[*INVOICE_FIELDS, "updated_at"])
    if (order.invoice_number, order.invoice_pdf_url) != before:
        states.note(
            order, "invoice", f"Invoice {order.invoice_number or order.invoice_id} recorded.", source=source
        )
    return order


def locked_order_for_session(session: Mapping[str, Any]) -> Order | None:
    """The order a Checkout Session belongs to, locked for update; None when it is not one of ours.

    Matched by session id; by our reference only when the order has no session id yet (an order that
    already has another session never takes this one).
    """
    session_id = object_id(session.get("id"))
    if not session_id:
        return None
    orders = Order.objects.select_for_update()
    order = orders.filter(stripe_session_id=session_id).first()
    if order is not None:
        return order
    reference = single_line(session.get("client_reference_id"), 20) or single_line(
        (session.get("metadata") or {}).get("order_reference"), 20
    )
    if not reference:
        return None
    order = orders.filter(reference=reference, stripe_session_id__isnull=True).first()
    if order is not None:
        order.stripe_session_id = session_id
        order.save(update_fields=["stripe_session_id"])
    return order


def _tax_ids(details: Mapping[str, Any]) -> str:
    ids = details.get("tax_ids") if isinstance(details.get("tax_ids"), list) else []
    shown = [
        f"{single_line(item.get('type'), 20)} {single_line(item.get('value'), 60)}".strip()
        for item in ids
        if isinstance(item, Mapping)
    ]
    return "; ".join(shown)[:500]


def _capture_invoice(order: Order, invoice: Any) -> None:
    """The invoice Stripe made for the order (an expanded object; a bare id until Stripe has made it)."""
    if not isinstance(invoice, Mapping):
        if invoice and not order.invoice_id:
            order.invoice_id = object_id(invoice)
        return
    order.invoice_id = object_id(invoice) or order.invoice_id
    order.invoice_number = single_line(invoice.get("number"), 100) or order.invoice_number
    for field, key in (("invoice_url", "hosted_invoice_url"), ("invoice_pdf_url", "invoice_pdf")):
        url = single_line(invoice.get(key), 2000)
        if url.startswith("https://"):  # Stripe's own pages; anything else is never linked to buyers
            setattr(order, field, url)


def _capture_buyer(order: Order, session: Mapping[str, Any], *, source: str) -> None:
    details = session.get("customer_details") or {}
    address = details.get("address") if isinstance(details.get("address"), Mapping) else {}
    order.company_name = single_line(details.get("business_name"), 200) or order.company_name
    order.tax_ids = _tax_ids(details) or order.tax_ids
    country = single_line(address.get("country"), 2).upper()
    order.billing_country = country if country.isalpha() else order.billing_country
    _capture_invoice(order, session.get("invoice"))
    raw_email = details.get("email") or session.get("customer_email")
    email = email_address(raw_email)
    if raw_email and not email:
        flag(order, "Stripe gave a buyer email address that cannot be used.", source=source)
    order.email = email or order.email
    order.buyer_name = single_line(details.get("name"), 200) or order.buyer_name
    order.save(update_fields=["email", "buyer_name", *INVOICE_FIELDS, "updated_at"])


def _amount_problem(order: Order, session: Mapping[str, Any]) -> str:
    """Why Stripe's figures disagree with the order (empty when they agree)."""
    totals = session.get("total_details") or {}
    discount = totals.get("amount_discount") or 0
    tax = totals.get("amount_tax") or 0
    currency = single_line(session.get("currency"), 3).upper()
    subtotal = session.get("amount_subtotal")
    total = session.get("amount_total")
    expected_total = order.subtotal_cents - discount + tax
    if currency != order.currency or subtotal != order.subtotal_cents or total != expected_total:
        theirs = currency or order.currency

        def shown(amount: Any, code: str) -> str:
            return format_money(amount, code) if isinstance(amount, int) else "nothing"

        return (
            f"Stripe session {object_id(session.get('id'))} reports subtotal {shown(subtotal, theirs)} and total "
            f"{shown(total, theirs)} in {currency or 'no currency'} (discount {shown(discount, theirs)}, tax "
            f"{shown(tax, theirs)}); the order expects subtotal {format_money(order.subtotal_cents, order.currency)} "
            f"and total {format_money(expected_total, order.currency)} in {order.currency}."
        )
    return ""


def _session_payment_status(session: Mapping[str, Any]) -> str | None:
    """What the session says about the money: a Payment status, or None when no payment exists yet."""
    if session.get("payment_status") in ("paid", "no_payment_required"):
        return Payment.Status.SUCCEEDED
    if session.get("status") != "complete":
        return None
    intent = session.get("payment_intent")
    if isinstance(intent, Mapping) and intent.get("status") in FAILED_PAYMENT_INTENT_STATUSES:
        return Payment.Status.FAILED
    return Payment.Status.PROCESSING


def _record_payment(order: Order, session: Mapping[str, Any], status: str, *, source: str) -> Payment:
    intent = session.get("payment_intent")
    latest_charge = intent.get("latest_charge") if isinstance(intent, Mapping) else None
    charge = latest_charge if isinstance(latest_charge, Mapping) else {}
    payment, created = Payment.objects.get_or_create(
        stripe_session_id=object_id(session.get("id")),
        defaults={
            "order": order,
            "status": status,
            "amount_cents": session.get("amount_total") or 0,
            "currency": single_line(session.get("currency"), 3).upper(),
        },
    )
    changed = set()
    for field, value in (
        ("stripe_payment_intent_id", object_id(intent)),
        ("stripe_charge_id", object_id(latest_charge)),
        ("stripe_balance_transaction_id", object_id(charge.get("balance_transaction"))),
    ):
        if value and getattr(payment, field) != value:
            setattr(payment, field, value)
            changed.add(field)
    # Forward only: a succeeded payment stays succeeded whatever a stale read says.
    if payment.status != Payment.Status.SUCCEEDED and payment.status != status:
        payment.status = status
        changed.add("status")
    if payment.status == Payment.Status.SUCCEEDED and payment.paid_at is None:
        payment.paid_at = stripe_time(charge.get("created")) or timezone.now()
        changed.add("paid_at")
    if changed:
        payment.save(update_fields=[*changed, "updated_at"])
    if created or "status" in changed:
        states.note(
            order,
            "payment",
            f"Payment {payment.status}: {format_money(payment.amount_cents, payment.currency or order.currency)} "
            f"(session {payment.stripe_session_id}).",
            source=source,
        )
    if payment.status == Payment.Status.SUCCEEDED and "paid_at" in changed:
        from checkout import tasks

        tasks.record_payment_fees.enqueue(payment.pk)
    return payment


def derive_status(order: Order) -> str | None:
    """Set the order's refunded total and paid time from its money records; return the status they imply
    (None when no payment exists yet). The caller applies it with `_settle`."""
    payments = list(order.payments.all())
    succeeded = [p for p in payments if p.status == Payment.Status.SUCCEEDED]
    refunded = (
        order.refunds.filter(status__in=COUNTED_REFUND_STATUSES).aggregate(total=Sum("amount_cents"))["total"]
        or 0
    )
    order.amount_refunded_cents = refunded
    if succeeded:
        order.paid_at = min((p.paid_at for p in succeeded if p.paid_at), default=timezone.now())
        received = sum(p.amount_cents for p in succeeded)
        if refunded and refunded >= received:
            return Status.REFUNDED
        return Status.PARTIALLY_REFUNDED if refunded else Status.PAID
    if any(p.status == Payment.Status.PROCESSING for p in payments):
        return Status.PROCESSING
    if any(p.status == Payment.Status.FAILED for p in payments):
        return Status.FAILED
    return None


def _settle(order: Order, target: str | None, *, source: str, before: str) -> None:
    """Apply the derived status (forward only), save, and enqueue what the change causes."""
    if target is not None:
        if states.can_move(order.status, target):
            states.move(order, target, source=source)
        elif order.status in states.FINISHED_UNPAID and target in states.MONEY_RECEIVED:
            # Money arrived for an order we had given up on: never lose it silently.
            flag(order, f"Stripe received money but the order is {order.status}.", source=source)
    order.save(update_fields=["status", "amount_refunded_cents", "paid_at", "updated_at"])
    if before not in states.MONEY_RECEIVED and order.status in states.MONEY_RECEIVED:
        from access import tasks as access_tasks
        from checkout import tasks

        tasks.send_order_confirmation.enqueue(order.pk)
        access_tasks.grant_access_for_order.enqueue(order.pk)
    if before != Status.REFUNDED and order.status == Status.REFUNDED:
        from access import tasks as access_tasks
        from access.services import REFUNDED_IN_FULL

        access_tasks.revoke_access_for_order.enqueue(order.pk, REFUNDED_IN_FULL)
    if (
        before == Status.REFUNDED
        and order.status in states.MONEY_RECEIVED
        and order.status != Status.REFUNDED
    ):
        from access import tasks as access_tasks

        # The full refund failed or was cancelled: what it took is given back.
        access_tasks.restore_access_for_order.enqueue(order.pk)
    if order.credit_cents and before not in states.FINISHED_UNPAID and order.status in states.FINISHED_UNPAID:
        from access import tasks as access_tasks

        # The Bundle completion credit this order held is free for the buyer's next checkout.
        access_tasks.release_bundle_credit.enqueue(order.pk)


@transaction.atomic
def converge_session(session: Mapping[str, Any], *, source: str) -> Order | None:
    """Bring the order in line with a Checkout Session fetched from Stripe (payment intent expanded when
    known). Money whose amount or currency disagrees with the order is flagged for staff, never counted."""
    if session.get("mode") != "payment":
        return None
    order = locked_order_for_session(session)
    if order is None:
        logger.warning("checkout session %s (%s) matches no order", object_id(session.get("id")), source)
        return None
    before = order.status
    _capture_buyer(order, session, source=source)
    intent_id = object_id(session.get("payment_intent"))
    if intent_id and order.stripe_payment_intent_id != intent_id:
        order.stripe_payment_intent_id = intent_id
        order.save(update_fields=["stripe_payment_intent_id"])
    payment_status = _session_payment_status(session)
    problem = _amount_problem(order, session) if payment_status else ""
    target = None
    if problem:
        flag(order, problem, source=source)
    elif payment_status:
        if payment_status == Payment.Status.SUCCEEDED:
            totals = session.get("total_details") or {}
            order.discount_cents = totals.get("amount_discount") or 0
            order.tax_cents = totals.get("amount_tax") or 0
            order.total_cents = session.get("amount_total") or 0
            order.save(update_fields=["discount_cents", "tax_cents", "total_cents"])
        _record_payment(order, session, payment_status, source=source)
        target = derive_status(order)
    elif session.get("status") == "expired":
        target = Status.EXPIRED
    _settle(order, target, source=source, before=before)
    return order


def locked_order_for_payment_intent(intent_id: str, reference: str = "") -> Order | None:
    orders = Order.objects.select_for_update()
    order = orders.filter(stripe_payment_intent_id=intent_id).first() if intent_id else None
    if order is None and intent_id:
        payment = Payment.objects.filter(stripe_payment_intent_id=intent_id).first()
        order = orders.filter(pk=payment.order_id).first() if payment else None
    if order is None and reference:
        order = orders.filter(reference=reference).first()
    return order


KEEP_EMPTY = frozenset({"stripe_charge_id", "reason", "status", "amount_cents", "currency"})


def _update(record: Refund | Dispute, values: dict[str, Any]) -> list[str]:
    """Copy Stripe's current values onto a money record; save and return the fields that changed."""
    changed = [field for field, value in values.items() if getattr(record, field) != value]
    if changed:
        for field in changed:
            setattr(record, field, values[field])
        record.save(update_fields=[*changed, "updated_at"])
    return changed


@transaction.atomic
def converge_refund(refund: Mapping[str, Any], *, source: str, reference: str = "") -> Order | None:
    """Record one Stripe refund (by its id) and derive the order's refunded total and status from all of
    them. A refund on an order that never completed is recorded and flagged."""
    refund_id = object_id(refund.get("id"))
    order = locked_order_for_payment_intent(object_id(refund.get("payment_intent")), reference)
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
    _settle(order, derive_status(order), source=source, before=before)
    return order


@transaction.atomic
def converge_dispute(dispute: Mapping[str, Any], *, source: str, reference: str = "") -> Order | None:
    """Record one Stripe dispute with the dates its funds were withdrawn and reinstated; flag the order."""
    dispute_id = object_id(dispute.get("id"))
    order = locked_order_for_payment_intent(object_id(dispute.get("payment_intent")), reference)
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
    if record.status == "lost" and (created or "status" in changed):
        from access import tasks as access_tasks
        from access.services import DISPUTE_LOST

        access_tasks.revoke_access_for_order.enqueue(order.pk, DISPUTE_LOST)
    return order
