"""More seats for a team order: a new order, linked to the one it adds to (`Order.adds_seats_to`), for N more
seats of one of its lines' products at today's catalogue price in the team order's currency, paid through its own Checkout Session like
any purchase. Its money, refunds and invoice are its own; once paid its seats are handed out with the team
order's (the teams app shows them in the same seat manager, access numbers them after the team's).

A team holds at most MAX_TEAM_SEATS seats of a product and each added purchase at most MAX_SEATS, the
limit of any one order (catalog.seats)."""

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from catalog.seats import MAX_SEATS, MAX_TEAM_SEATS, MIN_SEATS
from checkout import consent, services, states
from checkout.models import Order, OrderLine

Status = Order.Status
# Seats still counted against the team's limit: paid (or being paid) and not refunded in full.
COUNTED = (Status.PENDING, Status.PROCESSING, Status.PAID, Status.PARTIALLY_REFUNDED)
# A second "Add seats" press within this long (same browser, line and count) returns to the same checkout.
REUSE_PENDING_FOR = services.REUSE_PENDING_FOR


class AddSeatsRefused(Exception):
    """Nothing was started; the message says why, in words for the buyer."""


def team_seats(team: Order, line: OrderLine) -> int:
    """Seats of the line's product the team holds or is paying for: the line's own and every added
    purchase's that is not refunded in full, failed or expired (so two open checkouts cannot pass the
    limit together)."""
    added = (
        OrderLine.objects.filter(
            order__adds_seats_to=team, order__status__in=COUNTED, product_id=line.product_id
        ).aggregate(total=Sum("quantity"))["total"]
        or 0
    )
    return line.quantity + added


def addable(team: Order, line: OrderLine) -> int:
    """How many seats may be added to the line's product now (0 when none, or when it is no longer sold in
    the team order's currency)."""
    if line.product is None or not line.product.price_in(team.currency):
        return 0
    return max(0, min(MAX_SEATS, MAX_TEAM_SEATS - team_seats(team, line)))


def refusal(team: Order, line: OrderLine, quantity: int) -> str:
    """Why `quantity` more seats of `line` cannot be bought, or "" when they can."""
    product = line.product
    if team.adds_seats_to_id is not None or team.status not in (Status.PAID, Status.PARTIALLY_REFUNDED):
        return "Seats can be added only to a paid order."
    if product is None or not product.can_be_bought:
        return f"{line.product_name} is not on sale at the moment, so no seats can be added to it."
    if not product.price_in(team.currency):
        return (
            f"{line.product_name} is not sold in {team.currency} at the moment, the currency of this order, "
            "so no seats can be added to it. Write to the academy to add them another way."
        )
    most = addable(team, line)
    if most < MIN_SEATS:
        return (
            f"This order holds the most seats of {line.product_name} one team can have ({MAX_TEAM_SEATS}). "
            "For more, write to the academy."
        )
    if not MIN_SEATS <= quantity <= most:
        return (
            f"You can add from {MIN_SEATS} to {most} seat{'' if most == 1 else 's'} of {line.product_name}."
        )
    return ""


def _reusable(team: Order, line: OrderLine, quantity: int, visitor: str) -> Order | None:
    """This browser's fresh pending purchase of the same seats for the team (a double-clicked button)."""
    if not visitor:
        return None
    return (
        Order.objects.filter(
            adds_seats_to=team,
            status=Status.PENDING,
            visitor_key=services.visitor_key(visitor),
            created_at__gte=timezone.now() - REUSE_PENDING_FOR,
            lines__product_id=line.product_id,
            lines__quantity=quantity,
        )
        .order_by("-pk")
        .first()
    )


def create_added_seats_order(
    *, team: Order, line_id: int, quantity: int, visitor: str = "", digital_consent: bool = False
) -> Order:
    """The pending order for `quantity` more seats of the team's line, at the product's current catalogue
    price, for the team's buyer; or this browser's fresh one for the same seats. Under the team's row lock,
    so two tabs cannot pass the team's limit together. Raises AddSeatsRefused (nothing created).

    `digital_consent`: the buyer ticked the digital-content consent (checkout.consent, the wording for
    seats that are others'), stored on the new order. Its prices are before or with tax as any order's."""
    with transaction.atomic():
        team = Order.objects.select_for_update().get(pk=team.pk)
        line = team.lines.select_related("product").filter(pk=line_id).first()
        if line is None:
            raise AddSeatsRefused("That order has no such line.")
        if (existing := _reusable(team, line, quantity, visitor)) is not None:
            return existing
        if why := refusal(team, line, quantity):
            raise AddSeatsRefused(why)
        product = line.product
        order = Order.objects.create(
            status=Status.PENDING,
            adds_seats_to=team,
            currency=team.currency,  # the team's order's currency, whatever the visitor's switch says
            visitor_key=services.visitor_key(visitor),
            email=team.email,
            buyer_name=team.buyer_name,
            company_name=team.company_name,
            po_number=team.po_number,
            tax_behavior=settings.TAX_BEHAVIOR,
            **(consent.fields(consent.FOR_OTHERS_VERSION) if digital_consent else {}),
        )
        order.reference = services.order_reference(order.pk)
        added = OrderLine.snapshot(order, product, quantity)
        added.save()
        order.subtotal_cents = order.total_cents = added.amount_cents
        order.save(update_fields=["reference", "subtotal_cents", "total_cents"])
        states.note(
            team,
            "seats",
            f"{quantity} more seat(s) of {line.product_name} started on order {order.reference}.",
            source="buyer",
        )
    return order


def start_added_seats(
    *, team: Order, line_id: int, quantity: int, visitor: str = "", digital_consent: bool = False
) -> services.StartedCheckout:
    """Create (or find) the added seats' order, then its Checkout Session. Raises AddSeatsRefused, or
    services.CheckoutUnavailable when Stripe does not answer (the new order is then marked failed)."""
    order = create_added_seats_order(
        team=team, line_id=line_id, quantity=quantity, visitor=visitor, digital_consent=digital_consent
    )
    return services.open_checkout_session(order)


def added_orders(team: Order) -> list[Order]:
    """The team's added purchases that are paid or on their way (newest first), with their lines."""
    return list(
        Order.objects.filter(adds_seats_to=team, status__in=COUNTED)
        .exclude(status=Status.PENDING, checkout_url="")
        .order_by("-pk")
        .prefetch_related("lines")
    )
