"""Bundle value and savings, always derived from the components' current prices.

This module works on whatever product objects it is given and imports no model, so `catalog.models` can
build on it without an import cycle.

A bundle is only as good as its parts: a component that staff deactivated cannot be bought on its own, so
it adds nothing to the "separate value", and while any component is inactive the bundle makes no savings
claim at all (and cannot be bought, see `catalog.rules.can_be_bought`). Counting only the active parts
alone would still let a half-empty bundle claim savings on what is left, which is not what buyers get.
"""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce


@dataclass(frozen=True)
class BundlePricing:
    price_cents: int
    separate_value_cents: int  # the active components' prices added up
    currency: str
    inactive_component_count: int = 0

    @property
    def is_complete(self) -> bool:
        """Every component is on sale, so the bundle delivers what it lists."""
        return self.inactive_component_count == 0

    @property
    def savings_cents(self) -> int:
        return self.separate_value_cents - self.price_cents

    @property
    def has_savings(self) -> bool:
        """A bundle priced at or above its parts, or with a part off sale, makes no savings claim."""
        return self.is_complete and self.savings_cents > 0

    @property
    def claimed_savings_cents(self) -> int:
        """The saving the storefront may state: zero whenever there is no claim, never negative."""
        return self.savings_cents if self.has_savings else 0

    @property
    def savings_percent(self) -> int:
        if not self.has_savings:
            return 0
        return round(self.savings_cents * 100 / self.separate_value_cents)


# Both figures come from the bundle's items; an inactive component adds nothing to the value.
ACTIVE_PARTS_VALUE = Sum("component__price_cents", filter=Q(component__is_active=True))
INACTIVE_PARTS = Count("pk", filter=Q(component__is_active=False))


def annotate_separate_value(queryset: QuerySet) -> QuerySet:
    """Add `separate_value_cents` (active components' prices) and `inactive_component_count` in the same
    query, for any number of bundles."""
    # The bundle-item model, reached through the relation rather than imported (see the module docstring).
    bundle_item = queryset.model._meta.get_field("bundle_items").related_model
    items = bundle_item.objects.filter(bundle=OuterRef("pk")).order_by().values("bundle")
    value = items.annotate(total=ACTIVE_PARTS_VALUE).values("total")
    inactive = items.annotate(total=INACTIVE_PARTS).values("total")
    return queryset.annotate(
        separate_value_cents=Coalesce(Subquery(value, output_field=IntegerField()), 0),
        inactive_component_count=Coalesce(Subquery(inactive, output_field=IntegerField()), 0),
    )


def component_figures(product) -> tuple[int, int]:
    """(separate value, inactive component count): the annotated figures when the queryset carried them,
    else one aggregate query."""
    value = getattr(product, "separate_value_cents", None)
    inactive = getattr(product, "inactive_component_count", None)
    if value is not None and inactive is not None:
        return value, inactive
    if product.pk is None:
        return 0, 0
    figures = product.bundle_items.aggregate(value=ACTIVE_PARTS_VALUE, inactive=INACTIVE_PARTS)
    return figures["value"] or 0, figures["inactive"] or 0


def bundle_pricing(product) -> BundlePricing | None:
    if not product.is_bundle:
        return None
    separate_value, inactive = component_figures(product)
    return BundlePricing(
        price_cents=product.price_cents,
        separate_value_cents=separate_value,
        currency=product.currency,
        inactive_component_count=inactive,
    )


def bundle_saves(product) -> bool:
    """Whether `product` is a bundle that costs less than its parts (False for None and other products)."""
    pricing = product.pricing if product is not None else None
    return bool(pricing and pricing.has_savings)
