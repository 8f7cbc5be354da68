"""Money facts from Stripe: the webhook events received, payments, refunds, disputes and payouts, each a row
keyed by its Stripe id with its own dates. The tables keep the names they had in checkout (db_table), where
these models lived until the apps were split: moving them moved no data."""

from django.db import models

from checkout.models import Order


class StripeEvent(models.Model):
    """Every webhook event we accepted, recorded by id before acting so a redelivery does nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="stripe_events"
    )
    created = models.DateTimeField(null=True, blank=True, help_text="When Stripe created the event.")
    received_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(
        null=True, blank=True, help_text="When the background task brought the order in line."
    )
    payload = models.JSONField(default=dict)

    class Meta:
        db_table = "checkout_stripeevent"
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class Payment(models.Model):
    """Money received (or on its way) for an order: one row per Checkout Session, keyed by its id, or one per
    paid invoice of a payment request, keyed by the invoice's id."""

    class Status(models.TextChoices):
        PROCESSING = "processing", "Processing"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    stripe_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_invoice_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True, help_text="A payment request's invoice."
    )
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_charge_id = models.CharField(max_length=255, blank=True, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    paid_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="When the money was received."
    )
    stripe_balance_transaction_id = models.CharField(max_length=255, blank=True)
    fee_cents = models.IntegerField(
        null=True, blank=True, help_text="Stripe's fee, from the balance transaction."
    )
    net_cents = models.IntegerField(null=True, blank=True, help_text="What Stripe pays out: amount - fee.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "checkout_payment"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.status} payment {self.amount_cents} {self.currency} for {self.order}"


class Refund(models.Model):
    """One Stripe refund, keyed by its id, with Stripe's own creation time."""

    # Refunds that take money back from the buyer's payment (Stripe counts pending ones in amount_refunded).
    COUNTED_STATUSES = ("pending", "requires_action", "succeeded")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    stripe_refund_id = models.CharField(max_length=255, unique=True)
    stripe_charge_id = models.CharField(max_length=255, blank=True)
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=30, help_text="Stripe's refund status: pending, succeeded, failed…")
    reason = models.CharField(max_length=100, blank=True)
    stripe_balance_transaction_id = models.CharField(max_length=255, blank=True)
    created = models.DateTimeField(db_index=True, help_text="When the refund was made at Stripe.")
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "checkout_refund"
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"refund {self.stripe_refund_id}"


class Dispute(models.Model):
    """One Stripe dispute (chargeback), keyed by its id; funds withdrawn and reinstated are dated."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="disputes")
    stripe_dispute_id = models.CharField(max_length=255, unique=True)
    stripe_charge_id = models.CharField(max_length=255, blank=True)
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=40, help_text="Stripe's dispute status: needs_response, won, lost…")
    reason = models.CharField(max_length=100, blank=True)
    created = models.DateTimeField(db_index=True, help_text="When the buyer's bank opened the dispute.")
    funds_withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_balance_transaction_id = models.CharField(max_length=255, blank=True)
    funds_reinstated_at = models.DateTimeField(null=True, blank=True)
    reinstatement_balance_transaction_id = models.CharField(max_length=255, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "checkout_dispute"
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"dispute {self.stripe_dispute_id}"


class Payout(models.Model):
    """A Stripe payout to the bank, with the balance transactions it settles (PayoutLine)."""

    stripe_payout_id = models.CharField(max_length=255, unique=True)
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=30)
    arrival_date = models.DateTimeField(null=True, blank=True, db_index=True)
    created = models.DateTimeField(db_index=True)
    lines_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "checkout_payout"
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.stripe_payout_id


class PayoutLine(models.Model):
    """One balance transaction settled by a payout (a charge, refund, dispute adjustment or fee)."""

    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="lines")
    stripe_balance_transaction_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=40)
    source_id = models.CharField(max_length=255, blank=True, help_text="The charge, refund or dispute id.")
    amount_cents = models.BigIntegerField()
    fee_cents = models.BigIntegerField()
    net_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    created = models.DateTimeField()

    class Meta:
        db_table = "checkout_payoutline"
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return self.stripe_balance_transaction_id
