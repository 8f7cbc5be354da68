"""Reads of the catalogue for the storefront pages."""

from django.db.models import Prefetch

from catalog.models import BundleItem, Product


def listed_products():
    """Active products in display order, with bundle value annotated (one query whatever the count)."""
    return Product.objects.active().with_pricing().order_by("position", "name")


def product_for_page(slug: str) -> Product:
    """One active product with its modules and components prefetched; raises Product.DoesNotExist."""
    items = BundleItem.objects.select_related("component").order_by("position", "id")
    return (
        Product.objects.active()
        .with_pricing()
        .prefetch_related("modules", Prefetch("bundle_items", queryset=items))
        .get(slug=slug)
    )
