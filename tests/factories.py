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


def make_order(
    lines: list[tuple[Product, int]],
    status: str = "paid",
    refunded_at=None,
    fee_cents: int | None = None,
    **fields,
):
    """An order with one line per (product, quantity), priced at the products' current prices.

    An order that has received money gets its Payment record (paid at `paid_at`, with `fee_cents` when
    given), and a refunded amount its Refund record (made at `refunded_at`, default the payment time), as
    checkout's fulfilment would write them.
    """
    from django.utils import timezone

    from checkout.models import Order, OrderLine
    from checkout.services import order_reference
    from payments.models import Payment, Refund

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
    OrderLine.objects.bulk_create(_line(order, product, quantity) for product, quantity in lines)
    if order.paid_at is not None and status in ("paid", "partially_refunded", "refunded"):
        Payment.objects.create(
            order=order,
            stripe_session_id=f"cs_test_factory_{order.pk}",
            stripe_payment_intent_id=order.stripe_payment_intent_id or f"pi_test_factory_{order.pk}",
            status=Payment.Status.SUCCEEDED,
            amount_cents=order.total_cents,
            currency=order.currency,
            paid_at=order.paid_at,
            fee_cents=fee_cents,
            net_cents=None if fee_cents is None else order.total_cents - fee_cents,
        )
        if order.amount_refunded_cents:
            Refund.objects.create(
                order=order,
                stripe_refund_id=f"re_test_factory_{order.pk}",
                amount_cents=order.amount_refunded_cents,
                currency=order.currency,
                status="succeeded",
                created=refunded_at or order.paid_at,
            )
    return order


def product_admin_form(product: Product, **fields) -> dict:
    """The product admin's form data for `product` as it stands (price as money), with `fields` changed."""
    from catalog.money import to_decimal

    data = {
        "name": product.name,
        "slug": product.slug,
        "kind": product.kind,
        "tagline": product.tagline,
        "description": product.description,
        "audience": product.audience,
        "price": str(to_decimal(product.price_cents, product.currency)),
        "currency": product.currency,
        "is_active": "on",
        "position": str(product.position),
        "tax_code": product.tax_code,
        "bundle_items-TOTAL_FORMS": "0",
        "bundle_items-INITIAL_FORMS": "0",
        "modules-TOTAL_FORMS": "0",
        "modules-INITIAL_FORMS": "0",
        "prices-TOTAL_FORMS": "0",
        "prices-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return data


def _line(order, product: Product, quantity: int):
    """The line checkout would snapshot; a test's order mixing currencies (a yen kit in a dollar order, no
    real checkout makes one) gets the product's own price, as lines had before prices per currency."""
    from checkout.models import NotSoldInCurrency, OrderLine

    try:
        return OrderLine.snapshot(order, product, quantity)
    except NotSoldInCurrency:
        amount = product.price_cents * quantity
        return OrderLine(
            order=order,
            product=product,
            product_slug=product.slug,
            product_name=product.name,
            unit_price_cents=product.price_cents,
            quantity=quantity,
            amount_cents=amount,
        )
