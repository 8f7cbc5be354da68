"""Starting a purchase: the pending order and its Stripe Checkout Session.

What happens after payment (money records, status, emails) lives in the payments app (payments.sync and
the converge modules it calls); views and commands call these functions and never re-implement them.
"""

import datetime as dt
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from catalog.models import Product
from catalog.money import DEFAULT_CURRENCY
from catalog.seats import MAX_SEATS, MIN_SEATS
from checkout import consent, payers, states, stripe_gateway
from checkout.models import NotSoldInCurrency, Order, OrderLine, PriceAdjustment
from checkout.session_params import checkout_session_params
from common import hooks

logger = logging.getLogger("checkout")

Status = Order.Status
# A second Pay click within this long (same browser, product and seats) reuses the first order and session.
REUSE_PENDING_FOR = dt.timedelta(hours=1)


class CheckoutUnavailable(Exception):
    """Stripe did not give us a Checkout Session; the order has been marked failed."""


class StartRefused(ValueError):
    """A hook named in settings.CHECKOUT_START_HOOKS refused the review form's answers (the message says why)."""


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


def checkout_key(
    *, product: Product, quantity: int, visitor: str, po_number: str = "", currency: str = ""
) -> str | None:
    """One pending order per browser, product, currency, price, seat count and PO number: a second Pay
    click finds the first (the same click in another currency is another order)."""
    if not visitor:
        return None
    currency = (currency or product.currency).upper()
    fingerprint = f"{visitor}:{product.pk}:{currency}:{product.price_in(currency)}:{quantity}:{po_number}"
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
    *,
    product: Product,
    adjustment: PriceAdjustment,
    email: str,
    visitor: str = "",
    currency: str = "",
    digital_consent: bool = False,
) -> Order:
    """A pending one-seat order for `email` in `currency` (default: the product's own) whose line is charged
    the list price less `adjustment` (computed by the caller in that currency, who holds the locks that keep
    it from being used twice: access.bundle_completion). Raises NotSoldInCurrency (nothing written: the
    caller's transaction rolls back) when the product has no price there. `digital_consent`: the buyer
    ticked the digital-content consent (checkout.consent) for it."""
    order = Order.objects.create(
        status=Status.PENDING,
        currency=(currency or product.currency).upper(),
        visitor_key=visitor_key(visitor),
        email=email,
        tax_behavior=settings.TAX_BEHAVIOR,
        **(consent.fields() if digital_consent else {}),
    )
    order.reference = order_reference(order.pk)
    line = OrderLine.snapshot(order, product, 1, adjustment=adjustment)
    line.save()
    order.subtotal_cents = order.total_cents = line.amount_cents
    order.save(update_fields=["reference", "subtotal_cents", "total_cents"])
    return order


def create_pending_order(
    *,
    product: Product,
    quantity: int,
    visitor: str = "",
    po_number: str = "",
    digital_consent: bool = False,
    currency: str = "",
    adaptive_pricing: bool = False,
) -> Order:
    """A pending order in `currency` (default: the product's own) with a snapshot line at the product's
    current catalogue price in it, or the same browser's fresh pending order for the same product, currency
    and seats (a double-clicked Pay). Raises NotSoldInCurrency, with nothing written, when the product has
    no price in that currency.

    `digital_consent`: the buyer ticked the digital-content consent on the review page; the order keeps its
    wording's version and the time."""
    if not MIN_SEATS <= quantity <= MAX_SEATS:
        raise ValueError(f"quantity must be between {MIN_SEATS} and {MAX_SEATS}")
    currency = (currency or product.currency).upper()
    if not product.price_in(currency):
        raise NotSoldInCurrency(f"{product.name} is not sold in {currency} at the moment.")
    key = checkout_key(
        product=product, quantity=quantity, visitor=visitor, po_number=po_number, currency=currency
    )
    values = {
        "currency": currency,
        "adaptive_pricing": adaptive_pricing,
        "product": product,
        "quantity": quantity,
        "visitor": visitor,
        "key": key,
        "po_number": po_number,
        "digital_consent": digital_consent,
    }
    try:
        return _create_pending_order(**values)
    except IntegrityError:
        # A concurrent click inserted the same key first and has committed: use its order.
        return _create_pending_order(**values)


def _create_pending_order(
    *,
    product: Product,
    quantity: int,
    visitor: str,
    key: str | None,
    po_number: str,
    digital_consent: bool,
    currency: str,
    adaptive_pricing: bool,
) -> Order:
    with transaction.atomic():
        if key and (existing := _claim_checkout_key(key)) is not None:
            return existing
        order = Order.objects.create(
            status=Status.PENDING,
            currency=currency,
            adaptive_pricing=adaptive_pricing,
            visitor_key=visitor_key(visitor),
            checkout_key=key,
            po_number=po_number,
            tax_behavior=settings.TAX_BEHAVIOR,
            **(consent.fields() if digital_consent else {}),
        )
        order.reference = order_reference(order.pk)
        line = OrderLine.snapshot(order, product, quantity)
        line.save()
        order.subtotal_cents = order.total_cents = line.amount_cents
        order.save(update_fields=["reference", "subtotal_cents", "total_cents"])
    return order


def wants_adaptive_pricing(*, currency: str, visitor_guess: str) -> bool:
    """Whether the session should let Stripe convert the price into the buyer's own currency: only with
    settings.STRIPE_ADAPTIVE_PRICING on, for an order in the catalogue's own currency (US dollars), and a
    visitor whose first guess (catalog.currency.guessed_currency) named none of our priced currencies:
    someone in the pound or euro areas who chose dollars keeps dollars."""
    return (
        settings.STRIPE_ADAPTIVE_PRICING
        and currency.upper() == DEFAULT_CURRENCY
        and visitor_guess in ("", DEFAULT_CURRENCY)
    )


def start_checkout(
    *,
    product: Product,
    quantity: int,
    visitor: str = "",
    po_number: str = "",
    digital_consent: bool = False,
    data: Mapping[str, Any] | None = None,
    currency: str = "",
    adaptive_pricing: bool = False,
) -> StartedCheckout:
    """Create the pending order, then its Checkout Session; store the session id on the order.

    `visitor` is the browser's checkout cookie: a second Pay from the same browser for the same product and
    seats within REUSE_PENDING_FOR gets the first order's session back instead of a new order. When Stripe
    fails (error answer, timeout, unreachable) the order is marked failed, no session id is stored and
    CheckoutUnavailable is raised.

    `data` (the review form's POST) goes to each hook of settings.CHECKOUT_START_HOOKS, which may raise
    StartRefused before anything is written, and otherwise returns a callable given the pending order that
    gives extra Checkout Session parameters (the reminder consent: recovery.consent).

    `currency`: the one the review page showed (default: the product's own); a product without a price in
    it raises StartRefused before anything is written.
    """
    session_extras = [hook(data or {}) for hook in hooks.named("CHECKOUT_START_HOOKS")]
    currency = (currency or product.currency).upper()
    if not product.price_in(currency):
        raise StartRefused(
            f"{product.name} is not sold in {currency} at the moment, so nothing was started or charged. "
            "Choose US dollars at the top of the page to buy it."
        )
    order = create_pending_order(
        currency=currency,
        adaptive_pricing=adaptive_pricing,
        product=product,
        quantity=quantity,
        visitor=visitor,
        po_number=po_number,
        digital_consent=digital_consent,
    )
    extra: dict[str, Any] = {}
    for hook in session_extras:
        extra.update(hook(order))
    return open_checkout_session(order, extra_params=extra)


def open_checkout_session(
    order: Order, renewal: str = "", extra_params: Mapping[str, Any] | None = None
) -> StartedCheckout:
    """The pending order's Checkout Session: created at Stripe once (the idempotency key makes a second call,
    a concurrent click's say, get the same session back), its id and address stored on the order.

    `renewal` (the expired session's id) makes a new session for an order whose session expired while it
    waited (a payment request's payer, days later); the caller has cleared the order's session first."""
    if order.checkout_url:
        return StartedCheckout(order=order, checkout_url=order.checkout_url)
    try:
        session = stripe_gateway.create_session(
            {**checkout_session_params(order), **(extra_params or {})},
            idempotency_key=idempotency_key(order, renewal),
        )
    except stripe_gateway.StripeError as exc:
        mark_checkout_failed(order_id=order.pk, source="start-checkout", reason=type(exc).__name__)
        raise CheckoutUnavailable(str(exc.user_message or exc.__class__.__name__)) from exc
    order.stripe_session_id = session.id
    order.checkout_url = session.url
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
