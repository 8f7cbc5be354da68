import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from catalog.models import Product, currency_validator
from checkout.line_prices import NotSoldInCurrency, PriceAdjustment
from checkout.reverse_charge import CONFIRMED as REVERSE_CHARGE_CONFIRMED
from checkout.reverse_charge import state as reverse_charge_state
from checkout.stripe_limits import PO_NUMBER_MAX


def new_order_token() -> str:
    return secrets.token_hex(16)


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending payment"
        PROCESSING = "processing", "Payment processing"
        PAID = "paid", "Paid"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    # Money has been received for an order in one of these states (checkout.states uses this one set).
    MONEY_RECEIVED = frozenset({Status.PAID, Status.PARTIALLY_REFUNDED, Status.REFUNDED})

    reference = models.CharField(max_length=20, unique=True, null=True, blank=True, editable=False)
    token = models.CharField(
        max_length=32,
        default=new_order_token,
        editable=False,
        help_text="Random per order: keeps Stripe idempotency keys unique across databases sharing an account.",
    )
    visitor_key = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Hash of the browser's checkout cookie: who may see the order on the success page.",
    )
    checkout_url = models.URLField(max_length=2000, blank=True, editable=False)
    checkout_key = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="Held by a fresh pending order: one order per browser, product and seats.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    adds_seats_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="added_seat_orders",
        help_text="The team order these seats were bought for: they are handed out with its seats.",
    )
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
    po_number = models.CharField(
        "PO number / cost centre",
        max_length=PO_NUMBER_MAX,
        blank=True,
        help_text="Given by the buyer; printed on the invoice.",
    )
    company_name = models.CharField(max_length=200, blank=True)
    tax_ids = models.CharField(max_length=500, blank=True, help_text="Business tax IDs given at checkout.")
    billing_country = models.CharField(max_length=2, blank=True)
    tax_behavior = models.CharField(
        max_length=10,
        blank=True,
        editable=False,
        help_text="Whether the prices sent to Stripe were before tax (exclusive) or included it (inclusive): "
        "settings.TAX_BEHAVIOR when the order was made.",
    )
    taxability_reason = models.CharField(
        max_length=40,
        blank=True,
        help_text="Why Stripe Tax charged what it did (standard_rated, reverse_charge, not_collecting, ...).",
    )
    digital_consent_version = models.CharField(
        max_length=20,
        blank=True,
        editable=False,
        help_text="Which wording of the digital-content consent the buyer ticked (checkout.consent).",
    )
    digital_consent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Adaptive Pricing (settings.STRIPE_ADAPTIVE_PRICING): whether the session let Stripe convert the price,
    # and what the buyer then saw and paid in their own currency, as Stripe reports it.
    adaptive_pricing = models.BooleanField(default=False, editable=False)
    presentment_currency = models.CharField(max_length=3, blank=True, help_text="Empty: not converted.")
    presentment_amount_cents = models.PositiveIntegerField(null=True, blank=True)
    invoice_id = models.CharField(max_length=255, blank=True)
    invoice_number = models.CharField(max_length=100, blank=True)
    invoice_url = models.URLField(max_length=2000, blank=True, help_text="Stripe's hosted invoice page.")
    invoice_pdf_url = models.URLField(max_length=2000, blank=True)
    needs_review = models.BooleanField(
        default=False, help_text="Set when Stripe's figures disagree with ours."
    )
    review_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True, db_index=True)
    confirmation_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the confirmation email task sent the email."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("export_orders", "Can export orders"),
            ("refund_order", "Can ask Stripe to refund an order in full"),
        ]
        indexes = [models.Index(fields=["visitor_key", "status"], name="order_visitor_status")]

    def __str__(self) -> str:
        return self.reference or f"Order #{self.pk}"

    @property
    def money_received(self) -> bool:
        return self.status in self.MONEY_RECEIVED

    @property
    def reverse_charge(self) -> str:
        """How the receipts show a sale Stripe Tax reverse-charged (checkout.reverse_charge.state)."""
        return reverse_charge_state(self)

    @property
    def is_reverse_charge(self) -> bool:
        """A business buyer charged no VAT because Stripe Tax applied the reverse charge, on a VAT number
        the registry confirmed: every receipt says so, with the number."""
        return self.reverse_charge == REVERSE_CHARGE_CONFIRMED

    @property
    def vat_numbers(self) -> str:
        """The buyer's EU or UK VAT numbers from the tax IDs Stripe collected ("eu_vat DE123; ..."), without
        Stripe's type names, or the one tax ID a payment request's payer gave: what a reverse-charge line
        prints."""
        entries = [entry.split(" ", 1) for entry in self.tax_ids.split("; ") if entry.strip()]
        return ", ".join(
            entry[-1] for entry in entries if len(entry) == 1 or entry[0] in ("eu_vat", "gb_vat")
        )

    @property
    def team_id(self) -> int | None:
        """The order whose seat manager holds this order's seats: the one it adds seats to, or itself."""
        return self.adds_seats_to_id or self.pk


class OrderLine(models.Model):
    """A snapshot of what was sold: later catalogue edits never change an order's history."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, related_name="order_lines")
    product_slug = models.SlugField(max_length=120)
    product_name = models.CharField(max_length=120)
    unit_price_cents = models.PositiveIntegerField()
    quantity = models.PositiveIntegerField()
    amount_cents = models.PositiveIntegerField(help_text="unit price × quantity: what Stripe charges")
    # A price adjustment the caller computed (the Bundle completion credit, by access): the line's list price
    # less this is what it charges. Checkout stores and shows it; it never computes one.
    adjustment_cents = models.PositiveIntegerField(
        default=0, help_text="Taken off the line's list price: list amount - amount."
    )
    adjustment_title = models.CharField(
        max_length=100,
        blank=True,
        help_text="Short words after the product's name, e.g. 'completing your Bundle'.",
    )
    adjustment_label = models.CharField(
        max_length=500,
        blank=True,
        help_text="What the adjustment is, in words, e.g. a credit for earlier orders.",
    )
    adjustment_sources = models.JSONField(
        default=list, blank=True, help_text="The earlier orders (references) the adjustment came from."
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_name}"

    @property
    def list_amount_cents(self) -> int:
        """What the line costs at the list price it was sold from, before its adjustment."""
        return self.amount_cents + self.adjustment_cents

    @property
    def list_unit_price_cents(self) -> int:
        return self.list_amount_cents // self.quantity if self.quantity else 0

    @classmethod
    def snapshot(
        cls, order: Order, product: Product, quantity: int, adjustment: PriceAdjustment | None = None
    ) -> "OrderLine":
        """An unsaved line that copies the product's name and current price in the order's currency onto
        the order, less a price adjustment computed by the caller (per line, never below zero). Raises
        NotSoldInCurrency when the product has no price in that currency."""
        unit_price = product.price_in(order.currency)
        if not unit_price:  # no price in that currency (or a zero one, which must never reach Checkout)
            raise NotSoldInCurrency(f"{product.name} is not sold in {order.currency} at the moment.")
        list_amount = unit_price * quantity
        taken_off = min(adjustment.amount_cents, list_amount) if adjustment else 0
        amount = list_amount - taken_off
        return cls(
            order=order,
            product=product,
            product_slug=product.slug,
            product_name=product.name,
            unit_price_cents=amount // quantity,
            quantity=quantity,
            amount_cents=amount,
            adjustment_cents=taken_off,
            adjustment_title=adjustment.title[:100] if adjustment else "",
            adjustment_label=adjustment.label[:500] if adjustment else "",
            adjustment_sources=list(adjustment.sources) if adjustment else [],
        )


class OrderEvent(models.Model):
    """The order's history: one row per state change, money record or email, with where it came from."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    source = models.CharField(
        max_length=255, help_text="A Stripe event id, success-page, reconcile, task or staff."
    )
    kind = models.CharField(max_length=40)
    message = models.TextField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


# An SMTP send is about a dozen steps (connect, greeting, TLS, login, envelope, data, quit), each bounded by
# EMAIL_TIMEOUT: a claim older than that (2 minutes by default) is past the point of sending.
SMTP_STEPS = 12


class EmailDelivery(models.Model):
    """At most one email per order, purpose and recipient: the task claims a row, sends, then records it.

    A claim older than the claim timeout (a worker killed between claiming and sending) may be taken over.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="emails")
    purpose = models.CharField(max_length=40)
    recipient = models.EmailField(max_length=254)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "purpose", "recipient"], name="one_email_per_purpose")
        ]

    def __str__(self) -> str:
        return f"{self.purpose} to {self.recipient}"

    def state(self, now: dt.datetime | None = None) -> str:
        """What the row says happened, for staff. "Sent, not confirmed": a worker claimed the email longer
        ago than any send takes and never recorded the outcome. It may have handed the email to the mail
        server and then failed to record it (database down, worker killed), or died before sending; either
        way the next attempt after the claim timeout sends it, so the buyer may get it twice."""
        if self.sent_at is not None:
            return "Sent"
        if self.claimed_at is None:
            return "Failed, will retry" if self.attempts else "Queued"
        now = now or timezone.now()
        if now - self.claimed_at <= dt.timedelta(seconds=SMTP_STEPS * settings.EMAIL_TIMEOUT):
            return "Sending"
        return "Sent, not confirmed"
