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
    # The balance transaction's own figures (payments.settlement): what the payment added to the Stripe
    # balance, in the account's settlement currency, which differs from `currency` when Stripe converted.
    # The fee and net above are in the settlement currency too.
    settlement_cents = models.BigIntegerField(
        null=True, blank=True, help_text="What reached the Stripe balance, in the settlement currency."
    )
    settlement_currency = models.CharField(max_length=3, blank=True)
    exchange_rate = models.DecimalField(
        max_digits=20,
        decimal_places=10,
        null=True,
        blank=True,
        help_text="Stripe's rate from the payment's currency to the settlement currency; empty: no conversion.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "checkout_payment"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.status} payment {self.amount_cents} {self.currency} for {self.order}"

    @property
    def fee_currency(self) -> str:
        """The currency of the fee, net and settled amount: the settlement currency once read from Stripe,
        else the payment's own (what records made before settlement was read assumed)."""
        return self.settlement_currency or self.currency


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
    tax_cents = models.PositiveIntegerField(
        default=0, help_text="The tax part of the refund, derived from the order's tax (payments.refund_tax)."
    )
    tax_only = models.BooleanField(
        default=False,
        help_text="The refund gives back only VAT (an invoice correction's reverse charge): its tax part is "
        "its whole amount (payments.refund_tax).",
    )
    # What the refund took from the Stripe balance (a positive amount), in the settlement currency, with
    # Stripe's rate; from the refund's balance transaction (payments.settlement).
    settlement_cents = models.BigIntegerField(null=True, blank=True)
    settlement_currency = models.CharField(max_length=3, blank=True)
    exchange_rate = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True)
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
    # What the withdrawal took from the Stripe balance (negative) and the reinstatement gave back, in the
    # settlement currency with Stripe's rate, from their balance transactions (Stripe's dispute fee apart).
    withdrawal_settlement_cents = models.BigIntegerField(null=True, blank=True)
    reinstatement_settlement_cents = models.BigIntegerField(null=True, blank=True)
    settlement_currency = models.CharField(max_length=3, blank=True)
    exchange_rate = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True)
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


class ReconcileRun(models.Model):
    """One pass of `reconcile_stripe`: a sweep of every list in a window, or a read of Stripe's events since
    the last finished pass. The newest finished pass's start is where the next read of events begins."""

    class Mode(models.TextChoices):
        SWEEP = "sweep", "Sweep of sessions, refunds, disputes and payouts"
        EVENTS = "events", "Stripe's events since the last pass"

    mode = models.CharField(max_length=10, choices=Mode.choices)
    started_at = models.DateTimeField(db_index=True)
    listed_from = models.DateTimeField(help_text="The start of the window the pass read from Stripe.")
    finished_at = models.DateTimeField(null=True, blank=True, help_text="Empty: still running, or it failed.")
    changes = models.PositiveIntegerField(default=0, help_text="Lines the pass printed.")

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.mode} from {self.listed_from:%Y-%m-%d %H:%M}"
