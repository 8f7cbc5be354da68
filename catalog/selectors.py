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


def products_by_slug() -> dict[str, Product]:
    """Every active product keyed by slug, bundle value annotated: one query for a page's prices and links."""
    return {product.slug: product for product in listed_products()}


def courses_with_curriculum() -> list[Product]:
    """Active certification courses with their modules, for the curriculum map (two queries)."""
    return list(
        listed_products().filter(kind=Product.Kind.COURSE).prefetch_related("modules").order_by("position")
    )
