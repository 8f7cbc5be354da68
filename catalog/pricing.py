"""Bundle value and savings, always derived from the components' current prices, in one currency at a time.

This module works on whatever product objects it is given and imports no model, so `catalog.models` can
build on it without an import cycle.

A bundle is only as good as its parts: a component that staff deactivated cannot be bought on its own, so
it adds nothing to the "separate value", and while any component is inactive the bundle makes no savings
claim at all (and cannot be bought, see `catalog.rules.can_be_bought`). Counting only the active parts
alone would still let a half-empty bundle claim savings on what is left, which is not what buyers get.

Prices per currency: a product has its own price (`price_cents` in `currency`, US dollars) and optional
ProductPrice rows in pounds and euros. In a currency where the bundle or any active part has no price, the
separate value cannot be stated truthfully, so the bundle shows no savings claim there either.
"""

from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from catalog.money import DEFAULT_CURRENCY


@dataclass(frozen=True)
class BundlePricing:
    price_cents: int | None  # None: the bundle itself has no price in this currency
    separate_value_cents: int  # the active components' prices in this currency added up
    currency: str
    inactive_component_count: int = 0
    unpriced_component_count: int = 0  # active components without a price in this currency

    @property
    def is_complete(self) -> bool:
        """Every component is on sale, so the bundle delivers what it lists."""
        return self.inactive_component_count == 0

    @property
    def is_priced(self) -> bool:
        """The bundle and every active part have a price in this currency."""
        return self.price_cents is not None and self.unpriced_component_count == 0

    @property
    def savings_cents(self) -> int:
        return self.separate_value_cents - (self.price_cents or 0) if self.is_priced else 0

    @property
    def has_savings(self) -> bool:
        """A bundle priced at or above its parts, with a part off sale, or with a part unpriced in this
        currency, makes no savings claim."""
        return self.is_complete and self.is_priced and self.savings_cents > 0

    @property
    def claimed_savings_cents(self) -> int:
        """The saving the storefront may state: zero whenever there is no claim, never negative."""
        return self.savings_cents if self.has_savings else 0

    @property
    def savings_percent(self) -> int:
        if not self.has_savings:
            return 0
        return round(self.savings_cents * 100 / self.separate_value_cents)


ACTIVE = Q(component__is_active=True)
INACTIVE_PARTS = Count("pk", filter=Q(component__is_active=False))


def _price_rows(queryset: QuerySet):
    """The ProductPrice model, reached through the relation rather than imported (see the docstring)."""
    return queryset.model._meta.get_field("prices").related_model


def own_price(queryset: QuerySet, currency: str):
    """An expression for each product's price in `currency`: its own field when that is its currency,
    else its ProductPrice row (NULL when it has none)."""
    rows = _price_rows(queryset).objects.filter(product=OuterRef("pk"), currency=currency)
    return Case(
        When(currency=currency, then=F("price_cents")),
        default=Subquery(rows.values("amount_cents")[:1], output_field=IntegerField()),
        output_field=IntegerField(),
    )


def currency_for(product, currency: str) -> str:
    """The currency `product` shows and sells in for a visitor who sees `currency`: that one, except that
    the catalogue's default currency means the product's own (as annotate_pricing has it)."""
    currency = (currency or DEFAULT_CURRENCY).upper()
    return product.currency if currency == DEFAULT_CURRENCY else currency


def annotate_pricing(queryset: QuerySet, currency: str) -> QuerySet:
    """Add, in the same query for any number of products: `offer_currency` and `offer_price_cents` (the
    product's price in `currency`, None when it has none), and for bundles `separate_value_cents` (active
    components' prices in it), `inactive_component_count` and `unpriced_component_count`.

    The catalogue's default currency (US dollars, what a visitor sees before choosing) means each
    product's own price and currency, so a product staff priced in yen still shows and sells in yen."""
    currency = currency.upper()
    own_mode = currency == DEFAULT_CURRENCY
    bundle_item = queryset.model._meta.get_field("bundle_items").related_model
    items = bundle_item.objects.filter(bundle=OuterRef("pk")).order_by().values("bundle")
    in_own = ACTIVE & (
        Q(component__currency=F("bundle__currency")) if own_mode else Q(component__currency=currency)
    )
    in_row = ACTIVE & Q(component__prices__currency=currency)
    # Separate sums, each over its own subquery: the join to price rows would repeat the own-currency rows.
    figures = {
        "own_value": Sum("component__price_cents", filter=in_own),
        "own_priced": Count("pk", filter=in_own),
        "active": Count("pk", filter=ACTIVE),
        "inactive": INACTIVE_PARTS,
    }
    if not own_mode:
        figures |= {
            "row_value": Sum("component__prices__amount_cents", filter=in_row),
            "row_priced": Count("component__prices", filter=in_row),
        }
    totals = {
        name: Coalesce(
            Subquery(items.annotate(total=aggregate).values("total"), output_field=IntegerField()), 0
        )
        for name, aggregate in figures.items()
    }
    value, priced = totals["own_value"], totals["own_priced"]
    if not own_mode:
        value, priced = value + totals["row_value"], priced + totals["row_priced"]
    return queryset.annotate(
        offer_currency=F("currency") if own_mode else Value(currency, output_field=CharField()),
        offer_price_cents=F("price_cents") if own_mode else own_price(queryset, currency),
        separate_value_cents=value,
        inactive_component_count=totals["inactive"],
        unpriced_component_count=totals["active"] - priced,
    )


def component_figures(product, currency: str) -> tuple[int, int, int]:
    """(separate value, inactive component count, unpriced component count) in `currency`: the annotated
    figures when the queryset carried them for that currency, else one query."""
    if getattr(product, "offer_currency", None) == currency:
        return (
            product.separate_value_cents,
            product.inactive_component_count,
            product.unpriced_component_count,
        )
    if product.pk is None:
        return 0, 0, 0
    annotated = annotate_pricing(type(product).objects.filter(pk=product.pk), currency).get()
    return (
        annotated.separate_value_cents,
        annotated.inactive_component_count,
        annotated.unpriced_component_count,
    )


def bundle_pricing(product, currency: str | None = None) -> BundlePricing | None:
    """The bundle's pricing in `currency` (default: the one its queryset annotated, else its own)."""
    if not product.is_bundle:
        return None
    currency = (currency or getattr(product, "offer_currency", None) or product.currency).upper()
    separate_value, inactive, unpriced = component_figures(product, currency)
    return BundlePricing(
        price_cents=product.price_in(currency),
        separate_value_cents=separate_value,
        currency=currency,
        inactive_component_count=inactive,
        unpriced_component_count=unpriced,
    )


def bundle_saves(product) -> bool:
    """Whether `product` is a bundle that costs less than its parts (False for None and other products)."""
    pricing = product.pricing if product is not None else None
    return bool(pricing and pricing.has_savings)
