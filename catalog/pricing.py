"""Bundle value and savings, always derived from the components' current prices."""

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
        """A bundle priced at or above its parts makes no savings claim."""
        return self.savings_cents > 0

    @property
    def savings_percent(self) -> int:
        if not self.has_savings:
            return 0
        return round(self.savings_cents * 100 / self.separate_value_cents)


def annotate_separate_value(queryset: QuerySet) -> QuerySet:
    """Add `separate_value_cents` (sum of component prices) in the same query, for any number of bundles."""
    from catalog.models import BundleItem

    component_total = (
        BundleItem.objects.filter(bundle=OuterRef("pk"))
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
