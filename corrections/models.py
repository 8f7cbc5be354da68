"""A correction of an issued invoice's header (company name, address, VAT number, PO number), asked for by
the buyer or accounts payable: the details before and after, who asked and when, and what Stripe issued for
it. An issued invoice is never rewritten: an unpaid invoice on terms is voided and issued again with the
same lines (`reissue`); a paid one is credited in full with no money moving and a paid-in-full invoice
carries the new details (`replace`); a VAT number added after purchase refunds the VAT through the credit
note and the new invoice is reverse-charged (`vat`). One correction per order is in progress at a time."""

from django.db import models
from django.db.models import Q

from checkout.models import Order
from checkout.stripe_limits import COMPANY_NAME_MAX, PO_NUMBER_MAX, TAX_ID_MAX
from invoicing.models import PaymentRequest

HEADER_FIELDS = (
    "company_name",
    "address_line1",
    "address_line2",
    "city",
    "postal_code",
    "region",
    "tax_id",
    "po_number",
)


class InvoiceCorrection(models.Model):
    class Kind(models.TextChoices):
        REISSUE = "reissue", "Unpaid invoice voided and issued again"
        REPLACE = "replace", "Paid invoice credited and issued again, paid"
        VAT = "vat", "VAT number added: VAT refunded, reverse-charge invoice"

    class State(models.TextChoices):
        CHECKING = "checking", "Waiting for the VAT registry"
        ISSUING = "issuing", "Being issued"
        ISSUED = "issued", "Issued"
        REFUSED = "refused", "Not made"

    IN_PROGRESS = frozenset({State.CHECKING, State.ISSUING})

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="invoice_corrections")
    payment_request = models.ForeignKey(
        PaymentRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_corrections"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ISSUING, db_index=True)
    requested_by = models.CharField(max_length=200, help_text="Who asked: the buyer or accounts payable.")
    requester_email = models.EmailField(
        blank=True, help_text="Where the answer goes (else the buyer's address)."
    )
    original_invoice_id = models.CharField(max_length=255)
    original_invoice_number = models.CharField(max_length=100, blank=True)
    before = models.JSONField(default=dict, help_text="The invoice header as it was.")
    company_name = models.CharField(max_length=COMPANY_NAME_MAX)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    region = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, help_text="Never changed by a correction (it sets the tax).")
    tax_id = models.CharField(max_length=TAX_ID_MAX, blank=True)
    po_number = models.CharField(max_length=PO_NUMBER_MAX, blank=True)
    original_total_cents = models.PositiveIntegerField(null=True, blank=True, help_text="As Stripe has it.")
    vat_cents = models.PositiveIntegerField(default=0, help_text="The VAT refunded (a VAT correction).")
    stripe_customer_id = models.CharField(max_length=255, blank=True)
    new_invoice_id = models.CharField(max_length=255, blank=True)
    new_invoice_number = models.CharField(max_length=100, blank=True)
    new_invoice_url = models.URLField(max_length=2000, blank=True)
    new_invoice_pdf_url = models.URLField(max_length=2000, blank=True)
    new_invoice_total_cents = models.PositiveIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    credit_note_id = models.CharField(max_length=255, blank=True)
    problem = models.CharField(max_length=500, blank=True, help_text="Why it was not made.")
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(state__in=["checking", "issuing"]),
                name="one_invoice_correction_in_progress_per_order",
            )
        ]

    def __str__(self) -> str:
        return f"correction {self.pk} of {self.original_invoice_number or self.original_invoice_id}"

    def header(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in HEADER_FIELDS}

    def stripe_key(self, step: str) -> str:
        """The idempotency key of one Stripe call of this correction: a retried task makes nothing twice."""
        return f"correction-{self.order.reference}-{self.order.token}-{self.pk}-{step}"

    @property
    def source_key(self) -> str:
        return f"correction:{self.pk}"  # the credit note's metadata (credit_notes.converge)
