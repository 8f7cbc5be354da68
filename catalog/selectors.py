"""Reads of the catalogue for the storefront pages."""

from django.db.models import Prefetch

from catalog.models import BundleItem, Product


def listed_products():
    """Active products in display order, with bundle value annotated (one query whatever the count)."""
    return Product.objects.active().with_pricing().order_by("position", "name")


def product_for_page(slug: str) -> Product:
    """One active product with its modules and components prefetched; raises Product.DoesNotExist.

    Components taken off sale stay in the list (the bundle still holds them); the page shows them unlinked.
    """
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


def bundles_containing(product: Product) -> list[Product]:
    """Active bundles that include `product`, with their value annotated: the offer on a component's page."""
    return list(listed_products().filter(bundle_items__component=product))
