from django.db import models

from catalog.models import Product, currency_validator


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending payment"
        PROCESSING = "processing", "Payment processing"
        PAID = "paid", "Paid"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    reference = models.CharField(max_length=20, unique=True, null=True, blank=True, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    currency = models.CharField(max_length=3, validators=[currency_validator])
    email = models.EmailField(blank=True)
    buyer_name = models.CharField(max_length=200, blank=True)
    subtotal_cents = models.PositiveIntegerField(
        default=0, help_text="Sum of the lines, before discount and tax."
    )
    discount_cents = models.PositiveIntegerField(default=0)
    tax_cents = models.PositiveIntegerField(default=0)
    total_cents = models.PositiveIntegerField(
        default=0, help_text="What the buyer paid: subtotal - discount + tax."
    )
    amount_refunded_cents = models.PositiveIntegerField(default=0)
    stripe_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    needs_review = models.BooleanField(
        default=False, help_text="Set when Stripe's figures disagree with ours."
    )
    review_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True, db_index=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("export_orders", "Can export orders")]

    def __str__(self) -> str:
        return self.reference or f"Order #{self.pk}"


class OrderLine(models.Model):
    """A snapshot of what was sold: later catalogue edits never change an order's history."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, related_name="order_lines")
    product_slug = models.SlugField(max_length=120)
    product_name = models.CharField(max_length=120)
    unit_price_cents = models.PositiveIntegerField()
    quantity = models.PositiveIntegerField()
    amount_cents = models.PositiveIntegerField(help_text="unit price × quantity")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_name}"

    @classmethod
    def snapshot(cls, order: Order, product: Product, quantity: int) -> "OrderLine":
        """An unsaved line that copies the product's name and current price onto the order."""
        return cls(
            order=order,
            product=product,
            product_slug=product.slug,
            product_name=product.name,
            unit_price_cents=product.price_cents,
            quantity=quantity,
            amount_cents=product.price_cents * quantity,
        )


class StripeEvent(models.Model):
    """Every webhook event we accepted, recorded by id before acting so a redelivery does nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="stripe_events"
    )
    created = models.DateTimeField(null=True, blank=True, help_text="When Stripe created the event.")
    received_at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
