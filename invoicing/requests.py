"""My company pays: the buyer sends a payment request for a pending order to a payer (a manager, accounts
payable), who opens a link and pays by card (Checkout, as any buyer) or asks for an invoice on terms
(invoicing.issuing makes it at Stripe in a background task).

The payer's link is a capability: a random token, of which only a hash is stored, wrapped in Django's
signing (salted per purpose) so an altered link is refused before any lookup. GET shows the page and acts on
nothing but the "viewed" mark; every choice is a POST, so a mail scanner that opens links changes nothing.
A re-send makes a new token: the old link stops working.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction

from catalog.models import Product
from checkout import consent, services, states, stripe_gateway
from checkout.models import Order
from common import throttle
from invoicing import states as request_states
from invoicing import tax_ids
from invoicing.closing import close_for_paid_order
from invoicing.emails import send_payment_request, send_request_copy
from invoicing.issuing import issue_request_invoice
from invoicing.models import PaymentRequest
from invoicing.withdrawal import withdraw_cancelled_request

logger = logging.getLogger("checkout")

State = PaymentRequest.State
LINK_SALT = "checkout.payment-request"


class RequestRefused(Exception):
    """The order cannot take a (new) payment request; `existing` is its live one when it has one."""

    def __init__(self, message: str, existing: PaymentRequest | None = None) -> None:
        super().__init__(message)
        self.existing = existing


class ConsentNeeded(Exception):
    """The payer pressed "Pay by card now" without ticking the digital-content consent it needs."""


def card_needs_consent(request: PaymentRequest) -> bool:
    """Whether the payer's card path asks the EU digital-content consent (checkout.consent). A request
    with a tax ID is a registered business's purchase, outside the consumer withdrawal right; without one
    the person paying by card may be paying privately (a partner, a parent, a freelancer with no VAT
    number), so the box is asked. The invoice path never asks: an invoice on terms is to a company."""
    return not request.tax_id


@dataclass(frozen=True)
class RequestDetails:
    buyer_name: str
    buyer_email: str
    payer_name: str
    payer_email: str
    company_name: str
    billing_country: str
    ap_email: str = ""
    tax_id: str = ""
    note: str = ""


THROTTLE_WINDOW_SECONDS = 24 * 3600


def sending_allowed(payer_email: str, client_ip: str) -> bool:
    """Count one request about to email `payer_email`; False past the day's limit for that address or for
    this client (re-sends count too: each one emails the payer)."""
    by_payer = throttle.count(f"checkout:payreq:payer:{_hash(payer_email)}", THROTTLE_WINDOW_SECONDS)
    by_ip = throttle.count(f"checkout:payreq:ip:{client_ip}", THROTTLE_WINDOW_SECONDS)
    return (
        by_payer <= settings.PAYMENT_REQUEST_LIMIT_PER_PAYER
        and by_ip <= settings.PAYMENT_REQUEST_LIMIT_PER_IP
    )


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def link_token(raw: str) -> str:
    return signing.Signer(salt=LINK_SALT).sign(raw)


def request_for_link(token: str) -> PaymentRequest | None:
    """The request a payer's link names; None for an altered, made-up or replaced link."""
    try:
        raw = signing.Signer(salt=LINK_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return PaymentRequest.objects.select_related("order").filter(token_hash=_hash(raw)).first()


def _new_token() -> tuple[str, str]:
    raw = secrets.token_urlsafe(32)
    return raw, _hash(raw)


def _send_request_email(request: PaymentRequest, raw: str) -> None:
    send_payment_request.enqueue(request.pk, link_token(raw), request.sends)


def request_payment(
    *,
    product: Product,
    quantity: int,
    visitor: str,
    po_number: str,
    details: RequestDetails,
    currency: str = "",
) -> PaymentRequest:
    """The pending order in `currency` (the same service and price rules as a card purchase: a product
    without a price there raises checkout's NotSoldInCurrency), its payment request in the order's currency,
    and
    the email to the payer, enqueued in the same transaction. Raises RequestRefused when the order was
    paid meanwhile or already has a live request."""
    order = services.create_pending_order(
        product=product, quantity=quantity, visitor=visitor, po_number=po_number, currency=currency
    )
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        live = order.payment_requests.exclude(state__in=[State.CANCELLED, State.CLOSED]).first()
        if live is not None:
            raise RequestRefused("This order already has a payment request.", existing=live)
        if order.status != Order.Status.PENDING:
            raise RequestRefused("This order is no longer waiting for payment.")
        raw, token_hash = _new_token()
        request = PaymentRequest.objects.create(
            order=order,
            token_hash=token_hash,
            currency=order.currency,
            po_number=order.po_number,
            **details.__dict__,
        )
        order.email = details.buyer_email
        order.buyer_name = details.buyer_name
        order.company_name = details.company_name
        order.tax_ids = details.tax_id
        order.billing_country = details.billing_country
        # A later "Pay now" from this browser starts a new order instead of paying this one behind the payer.
        order.checkout_key = None
        order.save(
            update_fields=[
                "email",
                "buyer_name",
                "company_name",
                "tax_ids",
                "billing_country",
                "checkout_key",
                "updated_at",
            ]
        )
        states.note(
            order,
            "payment request",
            f"Payment request sent to {details.payer_email} for {details.company_name}.",
            source="buyer",
        )
        _send_request_email(request, raw)
        send_request_copy.enqueue(request.pk)
        tax_ids.enqueue_request_check(request, source="buyer")
    return request


@transaction.atomic
def mark_viewed(request_id: int) -> None:
    request = request_states.lock(request_id)
    if request.state == State.SENT:
        request_states.move(request, State.VIEWED, source="payer")


@transaction.atomic
def choose_invoice(request_id: int) -> PaymentRequest:
    """The payer asks for an invoice: the task that makes it at Stripe is enqueued with the change. A
    second click (or a replayed POST) finds the request already past this point and does nothing."""
    request = request_states.lock(request_id)
    if request.order.money_received:
        close_for_paid_order(request.order, source="payer")
    elif request_states.move(request, State.PREPARING, source="payer"):
        request.problem = ""
        request.save(update_fields=["problem"])
        issue_request_invoice.enqueue(request.pk)
    return request


def pay_by_card(request_id: int, *, digital_consent: bool = False) -> str | None:
    """The Checkout address for the payer (the order's own session, renewed when it expired while the order
    waited); None when the payer can no longer choose a card (an invoice is on its way, or it is paid).
    Raises ConsentNeeded when the request asks the digital-content consent (card_needs_consent) and
    `digital_consent` is False (nothing changes), and services.CheckoutUnavailable when Stripe does not
    answer. No row lock is held during a call to Stripe: the session is looked at first, then cleared under
    the lock only if it is still the same."""
    request = PaymentRequest.objects.select_related("order").get(pk=request_id)
    if not request.can_choose or request.order.status != Order.Status.PENDING:
        return None
    if card_needs_consent(request) and not digital_consent:
        raise ConsentNeeded(consent.FOR_OTHERS_REQUIRED_MESSAGE)
    expired = ""
    if request.order.stripe_session_id:
        try:
            session = stripe_gateway.fetch_session(request.order.stripe_session_id)
        except stripe_gateway.StripeError as exc:
            raise services.CheckoutUnavailable(type(exc).__name__) from exc
        if session.get("status") == "expired":
            expired = request.order.stripe_session_id
    with transaction.atomic():
        request = request_states.lock(request_id)
        order = request.order
        if not request.can_choose or order.status != Order.Status.PENDING:
            return None
        if expired and order.stripe_session_id == expired:
            order.stripe_session_id = None
            order.checkout_url = ""
            order.save(update_fields=["stripe_session_id", "checkout_url", "updated_at"])
            states.note(order, "checkout", f"Session {expired} had expired; a new one opens.", source="payer")
        if card_needs_consent(request):
            consent.record(order, consent.FOR_OTHERS_VERSION, source="payer")
    return services.open_checkout_session(order, renewal=expired[-12:]).checkout_url


@transaction.atomic
def cancel(request_id: int, *, source: str) -> bool:
    """The buyer (or staff) withdraws the request before an invoice exists; the link stops working. The
    payer may be on Stripe's page already: a task enqueued with the change expires the order's open Checkout
    Session (and voids any open invoice), and money that still arrives is flagged (invoicing.closing)."""
    request = request_states.lock(request_id)
    if not request.can_choose:
        return False
    request_states.move(request, State.CANCELLED, source=source, reason="withdrawn by the buyer")
    withdraw_cancelled_request.enqueue(request.pk)
    return True


@transaction.atomic
def resend(request_id: int, *, source: str) -> bool:
    """Send the request again with a new link (the old one stops working). Before an invoice exists only;
    afterwards staff re-send the invoice email instead ."""
    request = request_states.lock(request_id)
    if not request.can_choose or request.order.status != Order.Status.PENDING:
        return False
    raw, request.token_hash = _new_token()
    request.sends += 1
    request.save(update_fields=["token_hash", "sends", "updated_at"])
    states.note(
        request.order, "payment request", f"Payment request re-sent to {request.payer_email}.", source=source
    )
    _send_request_email(request, raw)
    return True


def open_requests_from(*, visitor: str, product: Product) -> list[PaymentRequest]:
    """This browser's payment requests for `product` still waiting for the payer, newest first."""
    if not visitor:
        return []
    return list(
        PaymentRequest.objects.filter(
            order__visitor_key=services.visitor_key(visitor),
            order__lines__product=product,
            state__in=PaymentRequest.OPEN,
        ).select_related("order")[:3]
    )


def buyers_request(order: Order) -> PaymentRequest | None:
    """The order's latest request, for its buyer's page."""
    return order.payment_requests.first()
