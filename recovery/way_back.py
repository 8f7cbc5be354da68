"""Back to paying from a reminder: what the way-back page shows (today's catalogue price, the seats) and
what its button does. The press starts a fresh pending order and Checkout Session at today's price, tied
to the reminder (`RecoveredOrder.recovered_from`), rather than opening Stripe's recovery URL: a session
Stripe recovers gets a new id while our order keeps the expired one, so its payment would match no order,
and it would charge the expired session's price."""

from dataclasses import dataclass

from django.db import transaction

from catalog.models import Product
from checkout import services, states
from checkout.services import StartedCheckout
from recovery import checks
from recovery.models import RecoveredOrder, Reminder

# From this many seats the page also offers "send this to my company to pay".
TEAM_SEATS = 3


@dataclass(frozen=True)
class Cart:
    product: Product
    seats: int
    po_number: str
    unit_price_cents: int
    total_cents: int
    currency: str  # the abandoned order's: a reminder never changes the currency the buyer chose
    can_buy: bool
    already_paid: bool
    team: bool


def cart(reminder: Reminder) -> Cart:
    product = reminder.product
    paid = checks.paid_since(email=reminder.email, product_id=product.pk, since=reminder.order.created_at)
    currency = reminder.order.currency
    unit_price = product.price_in(currency) or 0  # none: no longer sold in that currency
    return Cart(
        product=product,
        seats=reminder.quantity,
        po_number=reminder.order.po_number,
        unit_price_cents=unit_price,
        total_cents=unit_price * reminder.quantity,
        currency=currency,
        can_buy=product.is_active and product.can_be_bought and bool(unit_price) and not paid,
        already_paid=paid,
        team=reminder.quantity >= TEAM_SEATS,
    )


def return_to_checkout(reminder: Reminder, *, visitor: str, digital_consent: bool = False) -> StartedCheckout:
    """The fresh order and session for the reminder's cart (raises services.CheckoutUnavailable).
    `digital_consent`: the buyer ticked the digital-content consent on the way-back page (checkout.consent)."""
    with transaction.atomic():
        order = services.create_pending_order(
            product=reminder.product,
            quantity=reminder.quantity,
            visitor=visitor,
            po_number=reminder.order.po_number,
            digital_consent=digital_consent,
            currency=reminder.order.currency,
        )
        _, created = RecoveredOrder.objects.get_or_create(order=order, defaults={"recovered_from": reminder})
        if created:
            states.note(
                order,
                "recovery",
                f"Started again from the checkout reminder for order {reminder.order.reference}.",
                source="recovery",
            )
    # The session says where it came from too (Stripe's dashboard, exports); the metadata replaces the
    # usual one, so it repeats our reference.
    metadata = {"order_reference": order.reference, "recovered_from": reminder.session_id}
    return services.open_checkout_session(order, extra_params={"metadata": metadata})
