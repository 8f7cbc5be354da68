"""Small helpers that build test data. Prices here are the tests' own, never copies of the catalogue."""

from itertools import count

from django.contrib.auth.models import Group, User

from catalog.models import BundleItem, Product

_seq = count(1)


def make_product(**fields) -> Product:
    n = next(_seq)
    defaults = {
        "name": f"Test product {n}",
        "slug": f"test-product-{n}",
        "kind": Product.Kind.KIT,
        "tagline": "A product made by a test.",
        "description": "Made by a test.",
        "audience": "Tests.",
        "price_cents": 1000 + n,
        "currency": "USD",
        "position": 100 + n,
    }
    defaults.update(fields)
    return Product.objects.create(**defaults)


def make_bundle(components: list[Product], **fields) -> Product:
    bundle = make_product(kind=Product.Kind.BUNDLE, **fields)
    for position, component in enumerate(components, start=1):
        BundleItem.objects.create(bundle=bundle, component=component, position=position)
    return bundle


def make_staff(username: str, group: str | None = None, password: str = "a-long-test-password") -> User:
    user = User.objects.create_user(username, f"{username}@example.com", password, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def make_order(lines: list[tuple[Product, int]], status: str = "paid", **fields):
    """An order with one line per (product, quantity), priced at the products' current prices."""
    from django.utils import timezone

    from checkout.models import Order, OrderLine
    from checkout.services import order_reference

    currency = lines[0][0].currency if lines else "USD"
    subtotal = sum(product.price_cents * quantity for product, quantity in lines)
    defaults = {
        "status": status,
        "currency": currency,
        "email": f"buyer{next(_seq)}@example.com",
        "buyer_name": "Test Buyer",
        "subtotal_cents": subtotal,
        "total_cents": subtotal - fields.get("discount_cents", 0) + fields.get("tax_cents", 0),
        "paid_at": timezone.now() if status not in ("pending", "failed", "expired") else None,
    }
    defaults.update(fields)
    order = Order.objects.create(**defaults)
    order.reference = order_reference(order.pk)
    order.save(update_fields=["reference"])
    OrderLine.objects.bulk_create(OrderLine.snapshot(order, product, quantity) for product, quantity in lines)
    return order
