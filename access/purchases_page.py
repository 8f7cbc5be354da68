"""How the purchases page arranges what access.selectors reads: active access first, each card with its
instructions and (when the course platform is told) whether the enrolment arrived; an order whose access
has ended folds into one line ("Refunded $1,485 on 4 December: access ended for 5 seats")."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from access import enrolment, selectors
from access.credit import bundle_offer
from access.grants import DISPUTE_LOST, access_is_due, ended_reason
from access.models import Grant, PurchasesLink
from access.selectors import BoughtOrder, Holding
from access.sessions import Viewer
from catalog.models import Product
from catalog.money import DEFAULT_CURRENCY, format_money
from checkout import consent, states
from checkout.models import Order
from checkout.receipts import COURSE_ENROLMENT_COMES
from common import hooks
from common.text import normalise_email
from payments.models import Refund

ENROLLED = "You are enrolled on the course platform; sign in there with this address."
ENROLMENT_ON_ITS_WAY = (
    "Your enrolment is on its way to the course platform; this page says so once it arrives."
)


@dataclass
class Card:
    """One product held on one order, as its card shows it."""

    holding: Holding
    enrolment: str = ""  # blank when the course platform is not told (no webhook, or not a course)


@dataclass
class EndedOrder:
    """An order whose access has ended, folded into one line that expands."""

    order: Order
    summary: str
    cards: list[Holding]
    bought: BoughtOrder | None

    @property
    def products_ended(self) -> list[str]:
        """The names of what this address held on the order, each once."""
        return list(dict.fromkeys(holding.product.name for holding in self.cards))


def cards(holdings: list[Holding]) -> list[Card]:
    """The active holdings as cards, each course card saying whether its holder is enrolled on the course
    platform, and if not, how that comes (the webhook on its way, or staff enrolling by hand)."""
    active = [h for h in holdings if h.state == Grant.State.ACTIVE]
    courses = [h for h in active if h.grant and h.product.kind == Product.Kind.COURSE]
    enrolled = enrolment.enrolled_grant_ids(h.grant.pk for h in courses)
    result = []
    for holding in active:
        note = ""
        if holding.grant and holding.product.kind == Product.Kind.COURSE:
            if holding.grant.pk in enrolled:
                note = ENROLLED
            else:
                note = ENROLMENT_ON_ITS_WAY if enrolment.enabled() else COURSE_ENROLMENT_COMES
        result.append(Card(holding=holding, enrolment=note))
    return result


def ended_summary(order: Order, seats: int, *, bought: bool) -> str:
    """ "Refunded $1,485 on 4 December: access ended for 5 seats" for the buyer (or the dispute, or staff);
    a holder of a seat someone else bought is not shown the buyer's money."""
    ended = f"access ended for {seats} seat{'s' if seats != 1 else ''}"
    if order.status == Order.Status.REFUNDED:
        if not bought:
            return f"The order was refunded: {ended}"
        refunds = [r for r in order.refunds.all() if r.status in Refund.COUNTED_STATUSES]
        when = f" on {max(r.created for r in refunds):%-d %B}" if refunds else ""
        return f"Refunded {format_money(order.amount_refunded_cents, order.currency)}{when}: {ended}"
    if order.money_received and ended_reason(order) == DISPUTE_LOST:
        return f"Payment disputed by the card holder: {ended}"
    return f"Ended by the academy: {ended}"


def _seats(holdings: list[Holding]) -> int:
    return len({(h.grant.line_id, h.grant.seat) for h in holdings if h.grant})


def seat_manager_url(order: Order) -> str:
    """Where the buyer hands out the order's seats: the URL named by settings.PURCHASES_SEAT_MANAGER_URL
    (taking the order's reference), which another app serves; "" when none does."""
    name = settings.PURCHASES_SEAT_MANAGER_URL
    return reverse(name, kwargs={"reference": order.reference}) if name else ""


def split_orders(
    holdings: list[Holding], bought: list[BoughtOrder]
) -> tuple[list[BoughtOrder], list[EndedOrder]]:
    """The orders bought that still give access, each with its seat manager's address, and one folded line
    per order whose access ended (as bought, or as held through a seat someone else bought)."""
    live: list[BoughtOrder] = []
    folded: dict[int, EndedOrder] = {}
    for entry in bought:
        if access_is_due(entry.order):
            # Seats added to a team order are handed out from that order's seat manager.
            entry.seats_url = seat_manager_url(entry.order.adds_seats_to or entry.order)
            live.append(entry)
            continue
        seats = sum(line.line.quantity for line in entry.lines)
        folded[entry.order.pk] = EndedOrder(
            entry.order, ended_summary(entry.order, seats, bought=True), [], entry
        )
    revoked = [h for h in holdings if h.state == Grant.State.REVOKED]
    for holding in revoked:
        entry = folded.get(holding.order.pk)
        if entry is None:
            mine = [h for h in revoked if h.order.pk == holding.order.pk]
            summary = ended_summary(holding.order, _seats(mine), bought=False)
            entry = folded[holding.order.pk] = EndedOrder(holding.order, summary, [], None)
        entry.cards.append(holding)
    return live, list(folded.values())


def panels(email: str, only_order_id: int | None = None) -> list[dict]:
    """Sections other apps add to the page (settings.PURCHASES_PAGE_PANELS: functions taking the address and
    the one order a limited session sees, None when fully signed in, and returning a dict with its
    `template`, or None to add nothing), such as learning's certificates and the buyer's invoices."""
    found = (
        panel(email=email, only_order_id=only_order_id) for panel in hooks.named("PURCHASES_PAGE_PANELS")
    )
    return [panel for panel in found if panel]


def page_context(viewer: Viewer, currency: str = "") -> dict:
    """What the purchases page shows this browser: everything the address holds and bought, or, for a
    session limited to one order, that order and the address's own access on it (no Bundle offers: their
    price comes from every order)."""
    email = viewer.email
    currency = currency or DEFAULT_CURRENCY  # the Bundle offers' (the visitor's currency)
    holdings = [h for h in selectors.holdings_for(email) if viewer.sees(h.order.pk)]
    bought = [b for b in selectors.orders_bought_by(email) if viewer.sees(b.order.pk)]
    orders, ended = split_orders(holdings, bought)
    shown = [*orders, *(entry.bought for entry in ended if entry.bought)]
    if (invoice_documents := hooks.one("PURCHASES_INVOICE_DOCUMENTS")) and shown:
        # Credit notes on each order's invoice, from the app that issues them (access never imports it).
        documents = invoice_documents([entry.order.pk for entry in shown])
        for entry in shown:
            entry.invoice_documents = documents.get(entry.order.pk, [])
    offers = []
    if viewer.full:
        bundles = Product.objects.active().with_pricing(currency).filter(kind=Product.Kind.BUNDLE)
        offers = [
            offer
            for bundle in bundles
            if (offer := bundle_offer(email=email, bundle=bundle, currency=currency))
        ]
    only_order = None if viewer.full else Order.objects.filter(pk=viewer.order_id).first()
    return {
        "email": email,
        "cards": cards(holdings),
        "orders": orders,
        "ended": ended,
        "offers": offers,
        "consent_text": consent.TEXT,
        "only_order": only_order,
        "manages_seats": viewer.manages_seats,
        "panels": panels(email, viewer.order_id),
    }


def record_first_visit(viewer: Viewer) -> int:
    """The holder's browser loaded the purchases page: each active grant it shows them that had not been
    seen yet records when (`Grant.first_seen_at`; the seat manager counts the seat as started). Later
    visits change nothing. One update."""
    grants = Grant.objects.filter(
        holder_email=normalise_email(viewer.email), state=Grant.State.ACTIVE, first_seen_at__isnull=True
    )
    if not viewer.full:
        grants = grants.filter(order_id=viewer.order_id)
    return grants.update(first_seen_at=timezone.now())


def link_gives_access(link: PurchasesLink) -> bool:
    """Whether the link's order still gives its address access: the order's money says so, and the
    address is its buyer or holds a seat of it that is active."""
    order = link.order
    if not access_is_due(order):
        return False
    if normalise_email(order.email) == link.email:
        return True
    return Grant.objects.filter(order=order, holder_email=link.email, state=Grant.State.ACTIVE).exists()


def why_link_ended(link: PurchasesLink) -> str:
    """In one sentence, why the link's order no longer gives its address access."""
    order = link.order
    if order.status == Order.Status.REFUNDED:
        return f"Order {order.reference} was refunded in full, so the access it gave has ended."
    if order.status in states.MONEY_RECEIVED and ended_reason(order) == DISPUTE_LOST:
        return (
            f"The payment for order {order.reference} was disputed by the card holder, so the access it "
            "gave has ended."
        )
    if order.status not in states.MONEY_RECEIVED:
        return f"Order {order.reference} is {order.get_status_display().lower()}: it gives no access."
    if Grant.objects.filter(order=order, holder_email=link.email, state=Grant.State.REVOKED).exists():
        return f"Your access from order {order.reference} was ended by the academy."
    return f"The seat from order {order.reference} is no longer held by {link.email}."
