"""Unfinished purchases: the buyer's consent to one reminder, the one decision taken per expired session
(sent, held out or skipped), who unsubscribed, and which later orders came back through a reminder."""

import secrets

from django.db import models

from catalog.models import Product
from checkout.models import Order


class RecoveryConsent(models.Model):
    """The buyer ticked "Email me a reminder if I don't finish" on the review page for this order."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="recovery_consent")
    email = models.EmailField(help_text="Normalised (common.text.normalise_email).")
    text_version = models.CharField(max_length=40, help_text="Which wording of the checkbox was shown.")
    consented_at = models.DateTimeField()

    class Meta:
        ordering = ["-consented_at"]

    def __str__(self) -> str:
        return f"{self.email} for {self.order}"


class Reminder(models.Model):
    """The one decision about an expired session that had consent: exactly one row per consent."""

    class Decision(models.TextChoices):
        SEND = "send", "Reminder due"
        HELD_OUT = "held_out", "Held out (no reminder, for measuring)"
        SKIPPED = "skipped", "Not sent"

    consent = models.OneToOneField(RecoveryConsent, on_delete=models.CASCADE, related_name="reminder")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="recovery_reminders")
    session_id = models.CharField(max_length=255)
    email = models.EmailField()
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    token = models.CharField(max_length=64, default=secrets.token_hex, unique=True, editable=False)

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.email}, {self.product_id}"


class ReminderLock(models.Model):
    """One row per buyer and product, locked while a decision is taken, so two workers deciding about two
    expired sessions of the same buyer never both send."""

    email = models.EmailField()
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["email", "product"], name="recovery_lock_unique")]

    def __str__(self) -> str:
        return f"{self.email}, {self.product_id}"


class Unsubscribe(models.Model):
    email = models.EmailField(unique=True)
    unsubscribed_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.email


class RecoveredOrder(models.Model):
    """An order started from a reminder's way-back page: `recovered_from` ties the sale to its reminder."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="recovered")
    recovered_from = models.ForeignKey(Reminder, on_delete=models.PROTECT, related_name="recovered_orders")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.order} from {self.recovered_from_id}"
