"""Bundle value and savings, always derived from the components' current prices.

This module works on whatever product objects it is given and imports no model, so `catalog.models` can
build on it without an import cycle.
"""

from dataclasses import dataclass

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce


@dataclass(frozen=True)
class BundlePricing:
    price_cents: int
    separate_value_cents: int
    currency: str

    @property
    def savings_cents(self) -> int:
        return self.separate_value_cents - self.price_cents

    @property
    def has_savings(self) -> bool:
        """The one rule: a bundle saves only when it is cheaper than its parts; otherwise no claim at all."""
        return self.savings_cents > 0

    @property
    def claimed_savings_cents(self) -> int:
        """What the storefront may say the bundle saves: 0 when it does not save."""
        return self.savings_cents if self.has_savings else 0

    @property
    def savings_percent(self) -> int:
        if not self.has_savings:
            return 0
        return round(self.savings_cents * 100 / self.separate_value_cents)


def annotate_separate_value(queryset: QuerySet) -> QuerySet:
    """Add `separate_value_cents` (sum of component prices) in the same query, for any number of bundles."""
    # The bundle-item model, reached through the relation rather than imported (see the module docstring).
    bundle_item = queryset.model._meta.get_field("bundle_items").related_model
    component_total = (
        bundle_item.objects.filter(bundle=OuterRef("pk"))
        .order_by()
        .values("bundle")
        .annotate(total=Sum("component__price_cents"))
        .values("total")
    )
    return queryset.annotate(
        separate_value_cents=Coalesce(Subquery(component_total, output_field=IntegerField()), 0)
    )


def separate_value_cents(product) -> int:
    """The annotated figure when the queryset carried it, else one aggregate query."""
    annotated = getattr(product, "separate_value_cents", None)
    if annotated is not None:
        return annotated
    if product.pk is None:
        return 0
    total = product.bundle_items.aggregate(total=Sum("component__price_cents"))["total"]
    return total or 0


def bundle_pricing(product) -> BundlePricing | None:
    if not product.is_bundle:
        return None
    return BundlePricing(
        price_cents=product.price_cents,
        separate_value_cents=separate_value_cents(product),
        currency=product.currency,
    )


def bundle_saves(product) -> bool:
    """Whether `product` is a bundle that costs less than its parts (False for None and other products)."""
    pricing = product.pricing if product is not None else None
    return bool(pricing and pricing.has_savings)
