"""Completing the Bundle: a buyer who holds some of its components pays the Bundle price less what they
paid for them. One plain function decides the offer (`bundle_offer`); everything else shows or uses it.

The rule, computed from the data at checkout time, never typed:
- Owned: a component of the Bundle the buyer holds an active grant to.
- Credit: what the buyer actually paid for each owned component, per seat: the line's share of the order
  after discounts, before tax, net of refunds; only from orders the buyer paid for (a seat someone else
  paid for is owned but earns no credit), paid within BUNDLE_CREDIT_DAYS, in the Bundle's currency.
- Price: the lower of (Bundle price - credit) and (the missing components' current prices added up), never
  below the cheapest missing component. Offered only when that is below buying the missing ones separately.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from access.models import Grant
from catalog.models import Product
from catalog.pricing import currency_for
from checkout import states
from checkout.models import Order, OrderLine, PriceAdjustment
from common.text import normalise_email


@dataclass(frozen=True)
class OwnedComponent:
    product: Product
    credit_cents: int  # 0 when someone else paid for the seat, or it came another way (a Bundle seat)
    order_reference: str
    grant_id: int
    bought_on: dt.date | None = None


@dataclass
class BundleOffer:
    bundle: Product
    price_cents: int
    credit_cents: int  # Bundle price - price: what the buyer does not pay
    owned: list[OwnedComponent] = field(default_factory=list)
    missing: list[Product] = field(default_factory=list)
    missing_value_cents: int = 0
    currency: str = "USD"
    # Currencies of the buyer's own recent orders that earned no credit only because they were paid in them.
    other_currency_paid: list[str] = field(default_factory=list)

    @property
    def owned_names(self) -> str:
        return ", ".join(item.product.name for item in self.owned)

    @property
    def paid_credit_cents(self) -> int:
        return sum(item.credit_cents for item in self.owned)

    def label(self) -> str:
        """The credit as one receipt line: "credit for CPMA Level I bought on 4 Dec 2026"."""
        parts = [
            f"{item.product.name} bought on {_day(item.bought_on)}" if item.bought_on else item.product.name
            for item in self.owned
            if item.credit_cents
        ]
        return f"credit for {' and '.join(parts)}" if parts else "credit for the parts you own"

    def adjustment(self) -> PriceAdjustment:
        """What checkout takes off the Bundle's line for this offer."""
        return PriceAdjustment(
            amount_cents=self.credit_cents,
            title="completing your Bundle",
            label=self.label(),
            sources=tuple(self.sources),
        )

    @property
    def sources(self) -> list[str]:
        return sorted({item.order_reference for item in self.owned if item.credit_cents})


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def paid_per_seat(line: OrderLine, order: Order) -> int:
    """What one seat of `line` cost the buyer: the line's share of the order's discount taken off, tax left
    out, and its share of any refund taken off too."""
    if not line.quantity or not order.subtotal_cents:
        return 0
    discount_share = order.discount_cents * line.amount_cents // order.subtotal_cents
    paid = line.amount_cents - discount_share
    if order.amount_refunded_cents and order.total_cents:
        paid -= order.amount_refunded_cents * paid // order.total_cents
    return max(paid, 0) // line.quantity


def bundle_offer(
    *, email: str, bundle: Product, now: dt.datetime | None = None, currency: str = ""
) -> BundleOffer | None:
    """The price in `currency` (default: the Bundle's own) at which `email` may complete `bundle`, or None
    when there is no offer (owns nothing of it, owns it all, buying the missing parts separately is no
    dearer, or the Bundle or a missing part has no price in that currency)."""
    email = normalise_email(email)
    currency = currency_for(bundle, currency)
    if not email or not bundle.is_bundle or not bundle.can_be_bought:
        return None
    bundle_price = bundle.price_in(currency)
    if not bundle_price:
        return None
    now = now or timezone.now()
    since = now - dt.timedelta(days=settings.BUNDLE_CREDIT_DAYS)
    components = list(
        bundle.components.filter(is_active=True).prefetch_related("prices").order_by("position", "pk")
    )
    grants = (
        Grant.objects.filter(
            holder_email=email,
            state=Grant.State.ACTIVE,
            product__in=components,
            order__status__in=states.MONEY_RECEIVED,
        )
        .select_related("order", "line")
        .order_by("pk")
    )
    owned: dict[int, OwnedComponent] = {}
    other_currencies: set[str] = set()
    for grant in grants:
        order = grant.order
        would_earn = (
            order.email == email
            and order.paid_at is not None
            and order.paid_at >= since
            and grant.line.product_id == grant.product_id  # bought on its own, not as part of a Bundle
        )
        earns_credit = would_earn and order.currency == currency
        if would_earn and not earns_credit:
            other_currencies.add(order.currency)
        candidate = OwnedComponent(
            product=next(p for p in components if p.pk == grant.product_id),
            credit_cents=paid_per_seat(grant.line, order) if earns_credit else 0,
            order_reference=order.reference or "",
            grant_id=grant.pk,
            bought_on=timezone.localdate(order.paid_at) if order.paid_at else None,
        )
        current = owned.get(grant.product_id)
        if current is None or candidate.credit_cents > current.credit_cents:
            owned[grant.product_id] = candidate
    missing = [product for product in components if product.pk not in owned]
    if not owned or not missing:
        return None
    missing_prices = [product.price_in(currency) for product in missing]
    if not all(missing_prices):
        return None  # a part not sold in this currency: no truthful price for the rest
    missing_value = sum(missing_prices)
    credit = sum(item.credit_cents for item in owned.values())
    price = max(min(bundle_price - credit, missing_value), min(missing_prices))
    if price >= missing_value:
        return None
    return BundleOffer(
        bundle=bundle,
        price_cents=price,
        credit_cents=bundle_price - price,
        owned=list(owned.values()),
        missing=missing,
        missing_value_cents=missing_value,
        currency=currency,
        other_currency_paid=sorted(other_currencies),
    )
