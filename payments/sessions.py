"""Payments: bring an order in line with its Checkout Session as Stripe shows it now.

Stripe objects arrive as plain dicts fetched from Stripe's API (never an event's snapshot). The order row is
locked, the payment record keyed by the session id is written or updated, the buyer's details and invoice
captured, the status derived from the money records and the follow-ups enqueued, all in one transaction.
"""

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog.money import format_money
from checkout import payers, selectors, states
from checkout.models import Order
from checkout.stripe_values import object_id, stripe_time
from common.text import normalise_email, single_line
from payments import fees, tax_amounts, tax_ids
from payments.invoices import INVOICE_FIELDS, capture_invoice, tax_ids_text
from payments.models import Payment
from payments.presentment import capture_presentment
from payments.review import flag
from payments.status import derive_status, settle

logger = logging.getLogger("checkout")

Status = Order.Status
FAILED_PAYMENT_INTENT_STATUSES = ("requires_payment_method", "canceled")


def _capture_buyer(order: Order, session: Mapping[str, Any], *, source: str) -> None:
    details = session.get("customer_details") or {}
    address = details.get("address") if isinstance(details.get("address"), Mapping) else {}
    order.company_name = single_line(details.get("business_name"), 200) or order.company_name
    order.tax_ids = tax_ids_text(details) or order.tax_ids
    country = single_line(address.get("country"), 2).upper()
    order.billing_country = country if country.isalpha() else order.billing_country
    capture_invoice(order, session.get("invoice"))
    raw_email = details.get("email") or session.get("customer_email")
    email = normalise_email(raw_email)
    if raw_email and not email:
        flag(order, "Stripe gave a buyer email address that cannot be used.", source=source)
    if not payers.has_payment_request(order) and order.adds_seats_to_id is None:
        # With a payment request the payer pays and the buyer (already on the order) gets the seats; seats
        # added to a team order stay with that order's buyer.
        order.email = email or order.email
        order.buyer_name = single_line(details.get("name"), 200) or order.buyer_name
    order.save(update_fields=["email", "buyer_name", *INVOICE_FIELDS, "updated_at"])


def _amount_problem(order: Order, session: Mapping[str, Any]) -> str:
    """Why Stripe's figures disagree with the order (empty when they agree)."""
    reported = tax_amounts.reported_tax(session)
    discount, tax_amount = reported.discount, reported.amount
    currency = single_line(session.get("currency"), 3).upper()
    subtotal = session.get("amount_subtotal")
    total = session.get("amount_total")
    expected_total = tax_amounts.expected_total(order, reported)
    if currency != order.currency or subtotal != order.subtotal_cents or total != expected_total:
        theirs = currency or order.currency

        def shown(amount: Any, code: str) -> str:
            return format_money(amount, code) if isinstance(amount, int) else "nothing"

        return (
            f"Stripe session {object_id(session.get('id'))} reports subtotal {shown(subtotal, theirs)} and total "
            f"{shown(total, theirs)} in {currency or 'no currency'} (discount {shown(discount, theirs)}, tax "
            f"{shown(tax_amount, theirs)}{' included' if order.tax_behavior == 'inclusive' else ''}); the order expects subtotal {format_money(order.subtotal_cents, order.currency)} "
            f"and total {format_money(expected_total, order.currency)} in {order.currency}."
        )
    return tax_amounts.breakdown_problem(session, order)


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
        fees.record_payment_fees.enqueue(payment.pk)
    return payment


@transaction.atomic
def converge_session(session: Mapping[str, Any], *, source: str) -> Order | None:
    """Bring the order in line with a Checkout Session fetched from Stripe (payment intent expanded when
    known). Money whose amount or currency disagrees with the order is flagged for staff, never counted."""
    if session.get("mode") != "payment":
        return None
    order = selectors.locked_order_for_session(session)
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
            order.total_cents = session.get("amount_total") or 0
            order.save(update_fields=["discount_cents", "total_cents"])
            tax_amounts.record_tax(order, session, source=source)
            tax_ids.enqueue_order_checks(order, session, source=source)
            capture_presentment(order, session, source=source)
        _record_payment(order, session, payment_status, source=source)
        target = derive_status(order)
    elif session.get("status") == "expired" and not payers.has_open_payment_request(order):
        # An order waiting on its payment request outlives the Checkout Session (it may be paid by invoice).
        target = Status.EXPIRED
    settle(order, target, source=source, before=before)
    return order
