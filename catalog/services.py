"""Writes to the catalogue."""

from django.db import transaction

from catalog.models import BundleItem, CurriculumModule, FormerSlug, PriceChange, Product, ProductPrice
from catalog.rules import validate_bundle_components


@transaction.atomic
def load_catalog(products: list[dict]) -> list[Product]:
    """Create the products in `products` that do not exist yet (matched by slug); return the created ones.

    Existing products are left exactly as staff left them, so running this twice changes nothing.
    """
    created = []
    by_slug = {}
    for data in products:
        fields = {k: v for k, v in data.items() if k not in ("slug", "modules", "components", "prices")}
        product, was_created = Product.objects.get_or_create(slug=data["slug"], defaults=fields)
        by_slug[product.slug] = product
        if not was_created:
            continue
        product.full_clean()
        created.append(product)
        # Seeded prices in other currencies are stand-ins until staff confirm them.
        ProductPrice.objects.bulk_create(
            ProductPrice(product=product, currency=currency, amount_cents=cents, is_placeholder=True)
            for currency, cents in data.get("prices", {}).items()
        )
        CurriculumModule.objects.bulk_create(
            CurriculumModule(
                product=product, position=i, title=title, summary=summary, production_context=ctx
            )
            for i, (title, summary, ctx) in enumerate(data["modules"], start=1)
        )
    for data in products:
        bundle = by_slug[data["slug"]]
        if bundle not in created or not data.get("components"):
            continue
        components = [by_slug[slug] for slug in data["components"]]
        validate_bundle_components(bundle, components)
        BundleItem.objects.bulk_create(
            BundleItem(bundle=bundle, component=component, position=i)
            for i, component in enumerate(components, start=1)
        )
    return created


def record_price_change(
    *, product: Product, old_price_cents: int | None, old_currency: str, changed_by=None
) -> PriceChange | None:
    """Write a history row when `product`'s saved price or currency differs from the old one (None for a
    product just created); return it, or None when nothing changed."""
    if (old_price_cents, old_currency) == (product.price_cents, product.currency):
        return None
    return PriceChange.objects.create(
        product=product,
        old_price_cents=old_price_cents,
        old_currency=old_currency if old_price_cents is not None else "",
        new_price_cents=product.price_cents,
        new_currency=product.currency,
        changed_by=changed_by,
    )


def record_currency_price_change(
    *, product: Product, currency: str, old_cents: int | None, new_cents: int | None, changed_by=None
) -> PriceChange | None:
    """Write a history row for a price in pounds or euros (a ProductPrice row) set, changed or removed
    (None before it existed, None after it was deleted); None when nothing changed."""
    if old_cents == new_cents:
        return None
    return PriceChange.objects.create(
        product=product,
        old_price_cents=old_cents,
        old_currency=currency if old_cents is not None else "",
        new_price_cents=new_cents,
        new_currency=currency,
        changed_by=changed_by,
    )


def record_slug_change(*, product: Product, old_slug: str) -> None:
    """Keep `old_slug` leading to `product` after a rename; a product renamed back to one of its former
    slugs simply has it again."""
    if old_slug == product.slug:
        return
    FormerSlug.objects.filter(product=product, slug=product.slug).delete()
    FormerSlug.objects.get_or_create(slug=old_slug, defaults={"product": product})


def confirm_prices(products) -> list[Product]:
    """Mark the placeholder prices among `products` (their own and those in pounds and euros) as confirmed
    by staff; return the products changed."""
    confirmed = []
    for product in products:
        rows = ProductPrice.objects.filter(product=product, is_placeholder=True)
        changed_rows = rows.update(is_placeholder=False)
        if product.price_is_placeholder:
            product.price_is_placeholder = False
            product.save(update_fields=["price_is_placeholder", "updated_at"])
        elif changed_rows:
            product.save(update_fields=["updated_at"])  # the public pages' cache listens for this save
        else:
            continue
        confirmed.append(product)
    return confirmed
