"""A credit note Stripe issued on one of an order's invoices, keyed by its Stripe id, with Stripe's own
figures and date. `source_key` names the money that went back which it answers ("refund:re_…" for a
refund, "dispute:dp_…" for a lost dispute): one note per source, whatever the order of events."""

from django.db import models

from checkout.models import Order
from payments.models import Refund


class CreditNote(models.Model):
    class Status(models.TextChoices):
        ISSUED = "issued", "Issued"
        VOID = "void", "Void"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="credit_notes")
    stripe_credit_note_id = models.CharField(max_length=255, unique=True)
    number = models.CharField(max_length=100, blank=True)
    stripe_invoice_id = models.CharField(max_length=255, db_index=True)
    source_key = models.CharField(
        max_length=280,
        unique=True,
        null=True,
        blank=True,
        help_text="The refund or lost dispute it answers; empty for one made in Stripe's dashboard.",
    )
    refund = models.ForeignKey(
        Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes"
    )
    amount_cents = models.PositiveIntegerField(help_text="The credit note's total, tax included.")
    tax_cents = models.PositiveIntegerField(default=0, help_text="The tax part, as Stripe reports it.")
    linked_refund_ids = models.JSONField(
        default=list, blank=True, help_text="The Stripe refunds the note links (one it made itself, too)."
    )
    out_of_band_cents = models.PositiveIntegerField(
        default=0, help_text="Money returned outside Stripe (or none moved: a correction)."
    )
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ISSUED)
    reason = models.CharField(max_length=40, blank=True)
    memo = models.CharField(max_length=500, blank=True)
    pdf_url = models.URLField(max_length=2000, blank=True)
    created = models.DateTimeField(db_index=True, help_text="When Stripe issued it.")
    named_in_receipt_at = models.DateTimeField(
        null=True, blank=True, help_text="When a refund receipt was written naming it (no follow-up then)."
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return self.number or self.stripe_credit_note_id
