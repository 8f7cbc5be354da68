"""Reads for the purchases page: everything is looked up from the signed-in email, never from the URL."""

from dataclasses import dataclass, field

from django.db.models import Q

from access import links
from access.grants import DISPUTE_LOST, LOST_DISPUTE, REFUNDED_IN_FULL, access_is_due, products_for_line
from access.models import Grant, KitFile
from catalog.models import Product
from checkout import states
from checkout.models import Order, OrderLine
from common.text import normalise_email


@dataclass
class Download:
    title: str
    url_token: str


@dataclass
class Holding:
    """One product this email holds on one order: its instructions and fresh download links."""

    product: Product
    order: Order
    state: str
    downloads: list[Download] = field(default_factory=list)
    grant: Grant | None = None


@dataclass
class Seat:
    number: int
    holder_name: str
    holder_email: str
    state: str
    token: str  # of the seat's first grant


@dataclass
class LineSeats:
    line: OrderLine
    seats: list[Seat]


@dataclass
class BoughtOrder:
    order: Order
    lines: list[LineSeats]
    seats_url: str = ""  # the order's seat manager, when an app offers one (access.purchases_page)
    # Documents issued against the order's invoice (credit notes), when an app offers them (purchases_page).
    invoice_documents: list = field(default_factory=list)


def has_purchases(email: str) -> bool:
    email = normalise_email(email)
    if not email:
        return False
    bought = Order.objects.filter(email=email, status__in=states.MONEY_RECEIVED).exists()
    return bought or Grant.objects.filter(holder_email=email).exists()


def holdings_for(email: str) -> list[Holding]:
    grants = (
        Grant.objects.filter(holder_email=normalise_email(email))
        .exclude(state=Grant.State.UNASSIGNED)
        .select_related("product", "order")
        .order_by("-order__created_at", "product__position", "id")
    )
    files_by_product: dict[int, list[KitFile]] = {}
    for kit_file in KitFile.objects.filter(product__in={g.product_id for g in grants}):
        files_by_product.setdefault(kit_file.product_id, []).append(kit_file)
    holdings = []
    for grant in grants:
        holding = Holding(product=grant.product, order=grant.order, state=grant.state, grant=grant)
        if grant.state == Grant.State.ACTIVE:
            holding.downloads = [
                Download(title=f.title, url_token=links.download_token(grant, f))
                for f in files_by_product.get(grant.product_id, [])
            ]
        holdings.append(holding)
    return holdings


def orders_bought_by(email: str) -> list[BoughtOrder]:
    """The email's paid orders with their seats (one row per seat, however many products it grants). What
    may be done with each seat is the seat manager's to say (teams.seat_table), not the purchases page's."""
    email = normalise_email(email)
    orders = Order.objects.filter(email=email, status__in=states.MONEY_RECEIVED).prefetch_related(
        "lines", "grants", "refunds"
    )
    result = []
    for order in orders:
        grants_by_line: dict[int, dict[int, Grant]] = {}
        for grant in sorted(order.grants.all(), key=lambda g: g.pk):
            grants_by_line.setdefault(grant.line_id, {}).setdefault(grant.seat, grant)
        lines = []
        for line in order.lines.all():
            seats = [
                Seat(
                    number=n,
                    holder_name=g.holder_name,
                    holder_email=g.holder_email,
                    state=g.state,
                    token=g.token,
                )
                for n, g in sorted(grants_by_line.get(line.pk, {}).items())
            ]
            lines.append(LineSeats(line=line, seats=seats))
        result.append(BoughtOrder(order=order, lines=lines))
    return result


@dataclass(frozen=True)
class AccessRepair:
    """What lost or abandoned tasks left undone, by order id."""

    to_grant: list[int]
    to_revoke: list[tuple[int, str]]  # with the reason the revocation is given
    to_restore: list[int]


def orders_needing_access_repair() -> AccessRepair:
    """Orders owed grants they do not have, orders whose access a full refund or lost dispute ended but
    which still give it, and orders whose full refund failed but whose grants are still revoked for it."""
    received = Order.objects.filter(status__in=states.MONEY_RECEIVED)
    to_grant = [
        order.pk
        for order in received.exclude(status=Order.Status.REFUNDED).prefetch_related("lines", "grants")
        if access_is_due(order)
        and order.grants.count()
        < sum(len(products_for_line(line)) * line.quantity for line in order.lines.all())
    ]
    ended = received.filter(Q(status=Order.Status.REFUNDED) | Q(disputes__status=LOST_DISPUTE))
    to_revoke = [
        (order_id, REFUNDED_IN_FULL if status == Order.Status.REFUNDED else DISPUTE_LOST)
        for order_id, status in ended.filter(
            grants__state__in=[Grant.State.ACTIVE, Grant.State.UNASSIGNED], grants__restored_at__isnull=True
        )
        .distinct()
        .values_list("pk", "status")
    ]
    to_restore = [
        order.pk
        for order in received.exclude(status=Order.Status.REFUNDED)
        .filter(grants__state=Grant.State.REVOKED, grants__revoked_reason=REFUNDED_IN_FULL)
        .distinct()
        if access_is_due(order)
    ]
    return AccessRepair(to_grant, to_revoke, to_restore)
