"""Reads of the catalogue for the storefront pages."""

from django.db.models import Prefetch, Q

from catalog.models import BundleItem, FormerSlug, Product


def listed_products(currency: str = ""):
    """Active products in display order, with their price and bundle value in `currency` (default: the
    catalogue's own) annotated: one query whatever the count."""
    return Product.objects.active().with_pricing(currency).order_by("position", "name")


def product_for_page(slug: str, currency: str = "") -> Product:
    """One active product with its modules and components prefetched; raises Product.DoesNotExist.

    Components taken off sale stay in the list (the bundle still holds them); the page shows them unlinked.
    """
    items = (
        BundleItem.objects.select_related("component")
        .prefetch_related("component__prices")
        .order_by("position", "id")
    )
    return (
        Product.objects.active()
        .with_pricing(currency)
        .prefetch_related("modules", Prefetch("bundle_items", queryset=items))
        .get(slug=slug)
    )


def products_by_slug(currency: str = "") -> dict[str, Product]:
    """Every active product keyed by slug, and again by each slug it had before a rename (so FAQ
    placeholders written with an old slug still fill), bundle value annotated: two queries in all."""
    products = {product.slug: product for product in listed_products(currency)}
    by_id = {product.pk: product for product in products.values()}
    former = FormerSlug.objects.filter(product_id__in=by_id).values_list("slug", "product_id")
    return {**{slug: by_id[product_id] for slug, product_id in former}, **products}


def renamed_product(slug: str) -> Product | None:
    """The active product that had `slug` before a rename, if any."""
    former = FormerSlug.objects.filter(slug=slug, product__is_active=True).select_related("product").first()
    return former.product if former else None


def courses_with_curriculum(currency: str = "") -> list[Product]:
    """Active certification courses with their modules, for the curriculum map (two queries)."""
    return list(
        listed_products(currency)
        .filter(kind=Product.Kind.COURSE)
        .prefetch_related("modules")
        .order_by("position")
    )


def bundles_containing(product: Product, currency: str = "") -> list[Product]:
    """Active bundles that include `product`, with their value annotated: the offer on a component's page."""
    return list(listed_products(currency).filter(bundle_items__component=product))


def bundles_missing_components(product: Product) -> dict[Product, list[Product]]:
    """Active bundles touched by `product` (itself, or those containing it) that have inactive components,
    each with those components: what staff must fix before the bundle can be bought again."""
    items = (
        BundleItem.objects.filter(bundle__is_active=True, component__is_active=False)
        .filter(Q(bundle=product) | Q(bundle__components=product))
        .select_related("bundle", "component")
        .order_by("bundle__position", "bundle_id", "position", "id")
        .distinct()
    )
    missing: dict[Product, list[Product]] = {}
    for item in items:
        missing.setdefault(item.bundle, []).append(item.component)
    return missing


def what_a_seat_gives(product: Product) -> list[Product]:
    """What one seat of `product` gives its holder: the product itself, or a Bundle's parts in order."""
    if product.is_bundle:
        return [item.component for item in product.bundle_items.select_related("component")]
    return [product]
