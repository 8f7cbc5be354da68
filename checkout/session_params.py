"""The Checkout Session request for an order: its lines with their tax codes and tax behaviour, Stripe Tax,
the invoice Stripe makes after payment, and where Stripe sends the buyer back. Built from the order's
snapshot lines, never from the browser."""

from typing import Any

from django.conf import settings
from django.urls import reverse

from catalog.models import Product
from catalog.tax_codes import default_for as default_tax_code
from checkout import receipts
from checkout.models import Order, OrderLine
from checkout.stripe_limits import invoice_custom_field


def checkout_session_params(order: Order) -> dict[str, Any]:
    """The Checkout Session request, built from the order's snapshot lines (never from the browser)."""
    lines = list(order.lines.select_related("product"))
    first = lines[0]
    reference_metadata = {"order_reference": order.reference}
    line_items = []
    for line in lines:
        product_data: dict[str, Any] = {"name": line.product_name, "tax_code": line_tax_code(line)}
        if line.adjustment_cents:
            product_data["name"] = ", ".join(filter(None, [line.product_name, line.adjustment_title]))
            product_data["description"] = receipts.adjusted_line(line, order.currency)
        elif line.product and line.product.tagline:
            product_data["description"] = line.product.tagline
        line_items.append(
            {
                "price_data": {
                    "currency": order.currency.lower(),
                    "unit_amount": line.unit_price_cents,
                    "tax_behavior": tax_behavior(order),
                    "product_data": product_data,
                },
                "quantity": line.quantity,
            }
        )
    adjusted = any(line.adjustment_cents for line in lines)
    # Adaptive Pricing overrides Stripe's dashboard setting per session: asked for when the order was made
    # for a visitor outside the currencies we price in (checkout.services.wants_adaptive_pricing), refused
    # for every other session so a price we set in pounds or euros is never converted.
    adaptive = (
        {"adaptive_pricing": {"enabled": order.adaptive_pricing}} if settings.STRIPE_ADAPTIVE_PRICING else {}
    )
    success_path = reverse("checkout:success")
    cancel_url = (
        f"{settings.SITE_URL}{cancel_path(order, first.product_slug)}?cancelled=1&quantity={first.quantity}"
        # Back on the review page in the order's currency, whatever the switch says meanwhile.
        f"&currency={order.currency}"
    )
    return {
        "mode": "payment",
        "line_items": line_items,
        "client_reference_id": order.reference,
        "metadata": reference_metadata,
        "payment_intent_data": {"metadata": reference_metadata},
        # Stripe replaces {CHECKOUT_SESSION_ID} itself; the success page looks the session up server-side.
        "success_url": f"{settings.SITE_URL}{success_path}?session_id={{CHECKOUT_SESSION_ID}}",
        "cancel_url": cancel_url,
        "allow_promotion_codes": True,
        # An invoice an employer accepts: Stripe makes it after payment, with the company name, business tax
        # ID and billing address collected on the Checkout page, and the PO number from our review page.
        "invoice_creation": {"enabled": True, "invoice_data": invoice_data(order)},
        # Stripe Tax works out VAT from the billing address (so it is always collected) and the tax ID: a
        # business with a valid EU or UK VAT number gets the reverse charge.
        "automatic_tax": {"enabled": True},
        "tax_id_collection": {"enabled": True},
        "billing_address_collection": "required",
        "name_collection": {"business": {"enabled": True, "optional": True}},
        **adaptive,
        # An adjusted order (a Bundle completion credit) or seats added to a team are for one buyer only:
        # Stripe takes that email.
        **({"customer_email": order.email} if (adjusted or order.adds_seats_to_id) and order.email else {}),
    }


def tax_behavior(order: Order) -> str:
    """Whether the order's prices were before tax or included it: fixed when the order was made."""
    return order.tax_behavior or settings.TAX_BEHAVIOR


def line_tax_code(line: OrderLine) -> str:
    """The Stripe tax code of the line's product (the usual code for its kind if the product is gone or
    has none: a line already sold is still charged right)."""
    product = line.product
    if product is not None and product.tax_code:
        return product.tax_code
    return default_tax_code(product.kind if product is not None else Product.Kind.COURSE)


def cancel_path(order: Order, slug: str) -> str:
    """Where Stripe's Back link goes: the product's review page, or for seats added to a team order the
    seat manager they were started from (the URL name in settings.PURCHASES_SEAT_MANAGER_URL)."""
    return receipts.added_seats_path(order) or reverse("checkout:review", kwargs={"slug": slug})


def invoice_data(order: Order) -> dict[str, Any]:
    added_to = Order.objects.filter(pk=order.adds_seats_to_id).values_list("reference", flat=True).first()
    data: dict[str, Any] = {
        "description": f"CPMA order {order.reference}"
        + (f": more seats for order {added_to}" if added_to else ""),
        "metadata": {"order_reference": order.reference},
        "footer": settings.INVOICE_FOOTER,
    }
    if order.po_number:
        data["custom_fields"] = [invoice_custom_field("PO number", order.po_number)]
    return data
