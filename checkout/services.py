"""Orders and Stripe Checkout. Every order state change goes through one function here.

Views, the webhook and management code call these; none of them re-implements a state change. Stripe
objects come in as plain dicts (`StripeObject.to_dict()`), so tests and the webhook share one shape.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product
from checkout import states
from checkout.emails import send_order_confirmation
from checkout.models import Order, OrderLine
from checkout.stripe_client import stripe_client

logger = logging.getLogger("checkout")

Status = Order.Status
MIN_SEATS = 1
MAX_SEATS = 50


class CheckoutUnavailable(Exception):
    """Stripe did not give us a Checkout Session; the order has been marked failed."""


@dataclass(frozen=True)
class StartedCheckout:
    order: Order
    checkout_url: str


def order_reference(pk: int) -> str:
    return f"CPMA-{pk:06d}"


def idempotency_key(order: Order) -> str:
    """One key per order, so a retried create (by us or by the stripe library) never makes two sessions."""
    return f"order-{order.reference}-session"


def create_pending_order(*, product: Product, quantity: int) -> Order:
    """A pending order with a snapshot line at the product's current catalogue price."""
    if not MIN_SEATS <= quantity <= MAX_SEATS:
        raise ValueError(f"quantity must be between {MIN_SEATS} and {MAX_SEATS}")
    amount = product.price_cents * quantity
    with transaction.atomic():
        order = Order.objects.create(
            status=Status.PENDING, currency=product.currency, subtotal_cents=amount, total_cents=amount
        )
        order.reference = order_reference(order.pk)
        order.save(update_fields=["reference"])
        OrderLine.snapshot(order, product, quantity).save()
    return order


def checkout_session_params(order: Order) -> dict[str, Any]:
    """The Checkout Session request, built from the order's snapshot lines (never from the browser)."""
    lines = list(order.lines.select_related("product"))
    first = lines[0]
    reference_metadata = {"order_reference": order.reference}
    line_items = []
    for line in lines:
        product_data: dict[str, Any] = {"name": line.product_name}
        if line.product and line.product.tagline:
            product_data["description"] = line.product.tagline
        line_items.append(
            {
                "price_data": {
                    "currency": order.currency.lower(),
                    "unit_amount": line.unit_price_cents,
                    "product_data": product_data,
                },
                "quantity": line.quantity,
            }
        )
    success_path = reverse("checkout:success")
    cancel_path = reverse("checkout:review", kwargs={"slug": first.product_slug})
    return {
        "mode": "payment",
        "line_items": line_items,
        "client_reference_id": order.reference,
        "metadata": reference_metadata,
        "payment_intent_data": {"metadata": reference_metadata},
        # Stripe replaces {CHECKOUT_SESSION_ID} itself; the success page looks the session up server-side.
        "success_url": f"{settings.SITE_URL}{success_path}?session_id={{CHECKOUT_SESSION_ID}}",
        "cancel_url": f"{settings.SITE_URL}{cancel_path}?cancelled=1&quantity={first.quantity}",
        "allow_promotion_codes": True,
    }


def start_checkout(*, product: Product, quantity: int) -> StartedCheckout:
    """Create the pending order, then its Checkout Session; store the session id on the order.

    When Stripe fails (error answer, timeout, unreachable) the order is marked failed, no session id is
    stored and CheckoutUnavailable is raised.
    """
    order = create_pending_order(product=product, quantity=quantity)
    try:
        session = stripe_client().v1.checkout.sessions.create(
            params=checkout_session_params(order),  # type: ignore[arg-type]
            options={"idempotency_key": idempotency_key(order)},
        )
    except stripe.StripeError as exc:
        mark_checkout_failed(order_id=order.pk, source="start-checkout", reason=type(exc).__name__)
        raise CheckoutUnavailable(str(exc.user_message or exc.__class__.__name__)) from exc
    order.stripe_session_id = session.id
    order.save(update_fields=["stripe_session_id", "updated_at"])
    return StartedCheckout(order=order, checkout_url=session.url or "")


def mark_checkout_failed(*, order_id: int, source: str, reason: str) -> None:
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if states.move(order, Status.FAILED, source=source):
            order.review_reason = f"Checkout could not start: {reason}."
            order.save(update_fields=["status", "review_reason", "updated_at"])


def _object_id(value: Any) -> str:
    """An expandable Stripe field is an id string, or the object itself when expanded."""
    if isinstance(value, Mapping):
        return value.get("id") or ""
    return value or ""


def _locked_order_for_session(session: Mapping[str, Any]) -> Order | None:
    """The order a Checkout Session belongs to, locked for update; None when it is not one of ours.

    Matched by session id; by our reference only when the session id was never stored on the order.
    """
    orders = Order.objects.select_for_update()
    order = orders.filter(stripe_session_id=session["id"]).first()
    if order is not None:
        return order
    reference = session.get("client_reference_id") or (session.get("metadata") or {}).get("order_reference")
    if not reference:
        return None
    order = orders.filter(reference=reference, stripe_session_id__isnull=True).first()
    if order is not None:
        order.stripe_session_id = session["id"]
    return order


def _capture_buyer(order: Order, session: Mapping[str, Any]) -> None:
    details = session.get("customer_details") or {}
    order.email = details.get("email") or session.get("customer_email") or order.email
    order.buyer_name = details.get("name") or order.buyer_name
    order.stripe_payment_intent_id = (
        _object_id(session.get("payment_intent")) or order.stripe_payment_intent_id
    )


def _amount_problem(order: Order, session: Mapping[str, Any]) -> str:
    """Why Stripe's figures disagree with the order (empty when they agree)."""
    totals = session.get("total_details") or {}
    discount = totals.get("amount_discount") or 0
    tax = totals.get("amount_tax") or 0
    currency = (session.get("currency") or "").upper()
    subtotal = session.get("amount_subtotal")
    total = session.get("amount_total")
    expected_total = order.subtotal_cents - discount + tax
    if currency != order.currency or subtotal != order.subtotal_cents or total != expected_total:
        return (
            f"Stripe session {session['id']} reports subtotal {subtotal} and total {total} {currency} "
            f"(discount {discount}, tax {tax}); the order expects subtotal {order.subtotal_cents} and total "
            f"{expected_total} {order.currency}."
        )
    return ""


def _flag(order: Order, reason: str, *, source: str) -> None:
    order.needs_review = True
    if reason not in order.review_reason:
        order.review_reason = f"{order.review_reason}\n{reason}".strip()
    logger.warning("order %s %s: flagged for review: %s", order.reference, source, reason)


ORDER_DETAIL_FIELDS = [
    "status",
    "email",
    "buyer_name",
    "stripe_session_id",
    "stripe_payment_intent_id",
    "needs_review",
    "review_reason",
    "updated_at",
]


@transaction.atomic(savepoint=False)
def fulfil_checkout_session(session: Mapping[str, Any], *, source: str) -> Order | None:
    """Bring the order in line with a Checkout Session: the one fulfilment path for webhook and success page.

    Idempotent and safe under concurrency: the order row is locked, the state only moves forward, and the
    confirmation email is claimed once per order under that lock and sent after commit. A session whose
    amount or currency disagrees with the order is recorded and flagged for staff, never marked paid.
    """
    if session.get("mode") != "payment":
        return None
    order = _locked_order_for_session(session)
    if order is None:
        logger.warning("checkout session %s (%s) matches no order", session.get("id"), source)
        return None
    _capture_buyer(order, session)
    fields = list(ORDER_DETAIL_FIELDS)
    problem = _amount_problem(order, session)
    if problem:
        _flag(order, problem, source=source)
    elif session.get("payment_status") in ("paid", "no_payment_required"):
        totals = session.get("total_details") or {}
        order.discount_cents = totals.get("amount_discount") or 0
        order.tax_cents = totals.get("amount_tax") or 0
        order.total_cents = session["amount_total"]
        fields += ["discount_cents", "tax_cents", "total_cents"]
        if states.move(order, Status.PAID, source=source):
            order.paid_at = timezone.now()
            fields.append("paid_at")
        elif order.status in (Status.FAILED, Status.EXPIRED):
            # Money arrived for an order we had given up on: never lose it silently.
            _flag(
                order,
                f"Stripe session {session['id']} was paid but the order is {order.status}.",
                source=source,
            )
    elif session.get("status") == "complete":
        # Delayed payment methods (bank debits): the buyer finished, the money has not arrived yet.
        states.move(order, Status.PROCESSING, source=source)
    if order.status == Status.PAID and order.confirmation_sent_at is None:
        # Claimed under the row lock, sent after commit: one email per order, never for a rollback.
        order.confirmation_sent_at = timezone.now()
        fields.append("confirmation_sent_at")
        transaction.on_commit(partial(send_order_confirmation, order), robust=True)
    order.save(update_fields=fields)
    return order


@transaction.atomic(savepoint=False)
def fail_checkout_session(session: Mapping[str, Any], *, source: str) -> Order | None:
    """A delayed payment failed after the buyer completed Checkout."""
    order = _locked_order_for_session(session)
    if order is None:
        return None
    _capture_buyer(order, session)
    states.move(order, Status.FAILED, source=source)
    order.save(update_fields=ORDER_DETAIL_FIELDS)
    return order


@transaction.atomic(savepoint=False)
def expire_checkout_session(session: Mapping[str, Any], *, source: str) -> Order | None:
    """The session expired unpaid; only a pending order becomes expired."""
    order = _locked_order_for_session(session)
    if order is None:
        return None
    if states.move(order, Status.EXPIRED, source=source):
        order.save(update_fields=["status", "stripe_session_id", "updated_at"])
    return order


@transaction.atomic(savepoint=False)
def record_refund(charge: Mapping[str, Any], *, source: str) -> Order | None:
    """Record a full or partial refund from a Charge (`amount_refunded` is cumulative, so stale or repeated
    events never lower it) and move the order to partially refunded or refunded."""
    reference = (charge.get("metadata") or {}).get("order_reference")
    payment_intent = _object_id(charge.get("payment_intent"))
    orders = Order.objects.select_for_update()
    order = orders.filter(reference=reference).first() if reference else None
    if order is None and payment_intent:
        order = orders.filter(stripe_payment_intent_id=payment_intent).first()
    if order is None:
        logger.warning("refund on charge %s (%s) matches no order", charge.get("id"), source)
        return None
    fields = ["status", "amount_refunded_cents", "stripe_payment_intent_id", "needs_review", "review_reason"]
    order.stripe_payment_intent_id = order.stripe_payment_intent_id or payment_intent
    refunded = charge.get("amount_refunded") or 0
    if (charge.get("currency") or "").upper() != order.currency:
        _flag(order, f"Refund on charge {charge.get('id')} is in {charge.get('currency')}.", source=source)
    elif order.status in (Status.FAILED, Status.EXPIRED):
        _flag(order, f"Refund of {refunded} on an order that never completed.", source=source)
    elif refunded > order.amount_refunded_cents:
        old_amount = order.amount_refunded_cents
        order.amount_refunded_cents = refunded
        new_status = Status.REFUNDED if charge.get("refunded") else Status.PARTIALLY_REFUNDED
        if not states.move(order, new_status, source=source):
            logger.info(
                "order %s %s: %s, refunded %s -> %s",
                order.reference,
                source,
                order.status,
                old_amount,
                refunded,
            )
    order.save(update_fields=[*fields, "updated_at"])
    return order
