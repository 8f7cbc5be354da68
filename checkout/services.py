"""Starting a purchase: the pending order and its Stripe Checkout Session.

What happens after payment (money records, status, emails) lives in the payments app (payments.sync and
the converge modules it calls); views and commands call these functions and never re-implement them.
"""

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product
from catalog.seats import MAX_SEATS, MIN_SEATS
from checkout import payers, receipts, states
from checkout.models import Order, OrderLine, PriceAdjustment
from checkout.stripe_client import stripe_client
from checkout.stripe_limits import invoice_custom_field

logger = logging.getLogger("checkout")

Status = Order.Status
# A second Pay click within this long (same browser, product and seats) reuses the first order and session.
REUSE_PENDING_FOR = dt.timedelta(hours=1)


class CheckoutUnavailable(Exception):
    """Stripe did not give us a Checkout Session; the order has been marked failed."""


@dataclass(frozen=True)
class StartedCheckout:
    order: Order
    checkout_url: str


def order_reference(pk: int) -> str:
    return f"CPMA-{pk:06d}"


def idempotency_key(order: Order, renewal: str = "") -> str:
    """One key per order, so a retried create (by us or by the stripe library) never makes two sessions.

    The random token keeps keys apart when two databases (a restore, staging) share one Stripe account and
    reuse the same references.
    """
    return f"order-{order.reference}-{order.token}-session{f'-{renewal}' if renewal else ''}"


def visitor_key(visitor: str) -> str:
    """What the order stores of the browser's checkout cookie: a hash, so the table never holds the secret."""
    return hashlib.sha256(visitor.encode()).hexdigest() if visitor else ""


def checkout_key(*, product: Product, quantity: int, visitor: str, po_number: str = "") -> str | None:
    """One pending order per browser, product, price, seat count and PO number: a second Pay click finds
    the first."""
    if not visitor:
        return None
    fingerprint = f"{visitor}:{product.pk}:{product.price_cents}:{quantity}:{po_number}"
    return hashlib.sha256(fingerprint.encode()).hexdigest()


def _claim_checkout_key(key: str) -> Order | None:
    """The fresh pending order holding `key`, or None after releasing a stale holder (caller is atomic)."""
    holder = Order.objects.select_for_update().filter(checkout_key=key).first()
    if holder is None:
        return None
    if holder.status == Status.PENDING and holder.created_at >= timezone.now() - REUSE_PENDING_FOR:
        return holder
    holder.checkout_key = None
    holder.save(update_fields=["checkout_key"])
    return None


def create_adjusted_order(
    *, product: Product, adjustment: PriceAdjustment, email: str, visitor: str = ""
) -> Order:
    """A pending one-seat order for `email` whose line is charged the list price less `adjustment` (computed
    by the caller, who holds the locks that keep it from being used twice: access.bundle_completion)."""
    order = Order.objects.create(
        status=Status.PENDING, currency=product.currency, visitor_key=visitor_key(visitor), email=email
    )
    order.reference = order_reference(order.pk)
    line = OrderLine.snapshot(order, product, 1, adjustment=adjustment)
    line.save()
    order.subtotal_cents = order.total_cents = line.amount_cents
    order.save(update_fields=["reference", "subtotal_cents", "total_cents"])
    return order


def create_pending_order(*, product: Product, quantity: int, visitor: str = "", po_number: str = "") -> Order:
    """A pending order with a snapshot line at the product's current catalogue price, or the same
    browser's fresh pending order for the same product and seats (a double-clicked Pay)."""
    if not MIN_SEATS <= quantity <= MAX_SEATS:
        raise ValueError(f"quantity must be between {MIN_SEATS} and {MAX_SEATS}")
    key = checkout_key(product=product, quantity=quantity, visitor=visitor, po_number=po_number)
    values = {
        "product": product,
        "quantity": quantity,
        "visitor": visitor,
        "key": key,
        "po_number": po_number,
    }
    try:
        return _create_pending_order(**values)
    except IntegrityError:
        # A concurrent click inserted the same key first and has committed: use its order.
        return _create_pending_order(**values)


def _create_pending_order(
    *, product: Product, quantity: int, visitor: str, key: str | None, po_number: str
) -> Order:
    amount = product.price_cents * quantity
    with transaction.atomic():
        if key and (existing := _claim_checkout_key(key)) is not None:
            return existing
        order = Order.objects.create(
            status=Status.PENDING,
            currency=product.currency,
            subtotal_cents=amount,
            total_cents=amount,
            visitor_key=visitor_key(visitor),
            checkout_key=key,
            po_number=po_number,
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
        if line.adjustment_cents:
            product_data["name"] = ", ".join(filter(None, [line.product_name, line.adjustment_title]))
            product_data["description"] = receipts.adjusted_line(line, order.currency)
        elif line.product and line.product.tagline:
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
    adjusted = any(line.adjustment_cents for line in lines)
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
        # An invoice an employer accepts: Stripe makes it after payment, with the company name, business tax
        # ID and billing address collected on the Checkout page, and the PO number from our review page.
        "invoice_creation": {"enabled": True, "invoice_data": invoice_data(order)},
        "tax_id_collection": {"enabled": True},
        "billing_address_collection": "required",
        "name_collection": {"business": {"enabled": True, "optional": True}},
        # An adjusted order (a Bundle completion credit) is for one buyer only: Stripe takes that email.
        **({"customer_email": order.email} if adjusted and order.email else {}),
    }


def invoice_data(order: Order) -> dict[str, Any]:
    data: dict[str, Any] = {
        "description": f"CPMA order {order.reference}",
        "metadata": {"order_reference": order.reference},
        "footer": settings.INVOICE_FOOTER,
    }
    if order.po_number:
        data["custom_fields"] = [invoice_custom_field("PO number", order.po_number)]
    return data


def start_checkout(
    *, product: Product, quantity: int, visitor: str = "", po_number: str = ""
) -> StartedCheckout:
    """Create the pending order, then its Checkout Session; store the session id on the order.

    `visitor` is the browser's checkout cookie: a second Pay from the same browser for the same product and
    seats within REUSE_PENDING_FOR gets the first order's session back instead of a new order. When Stripe
    fails (error answer, timeout, unreachable) the order is marked failed, no session id is stored and
    CheckoutUnavailable is raised.
    """
    order = create_pending_order(product=product, quantity=quantity, visitor=visitor, po_number=po_number)
    return open_checkout_session(order)


def open_checkout_session(order: Order, renewal: str = "") -> StartedCheckout:
    """The pending order's Checkout Session: created at Stripe once (the idempotency key makes a second call,
    a concurrent click's say, get the same session back), its id and address stored on the order.

    `renewal` (the expired session's id) makes a new session for an order whose session expired while it
    waited (a payment request's payer, days later); the caller has cleared the order's session first."""
    if order.checkout_url:
        return StartedCheckout(order=order, checkout_url=order.checkout_url)
    try:
        session = stripe_client().v1.checkout.sessions.create(
            params=checkout_session_params(order),  # type: ignore[arg-type]
            options={"idempotency_key": idempotency_key(order, renewal)},
        )
    except stripe.StripeError as exc:
        mark_checkout_failed(order_id=order.pk, source="start-checkout", reason=type(exc).__name__)
        raise CheckoutUnavailable(str(exc.user_message or exc.__class__.__name__)) from exc
    order.stripe_session_id = session.id
    order.checkout_url = session.url or ""
    order.save(update_fields=["stripe_session_id", "checkout_url", "updated_at"])
    return StartedCheckout(order=order, checkout_url=order.checkout_url)


def mark_checkout_failed(*, order_id: int, source: str, reason: str) -> None:
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if payers.has_open_payment_request(order):
            return  # the payer may still pay by invoice, or try the card again
        if states.move(order, Status.FAILED, source=source):
            order.review_reason = f"Checkout could not start: {reason}."
            order.save(update_fields=["status", "review_reason", "updated_at"])


def orders_bought_by(*, visitor: str, product: Product) -> QuerySet[Order]:
    """Orders for `product` that this browser started and paid for, newest first."""
    if not visitor:
        return Order.objects.none()
    return Order.objects.filter(
        visitor_key=visitor_key(visitor), status__in=states.MONEY_RECEIVED, lines__product=product
    ).order_by("-paid_at")


def order_visible_to(order: Order, visitor: str) -> bool:
    """Whether this browser started the order's checkout (and may see its buyer details)."""
    return bool(visitor) and bool(order.visitor_key) and order.visitor_key == visitor_key(visitor)
