"""The payment request: a buyer asks their company (a manager, accounts payable) to pay a pending order,
by card through Checkout or by a Stripe invoice on terms. The table keeps the name it had in checkout
(db_table), where this model lived until the apps were split."""

from django.db import models
from django.db.models import Q

from checkout.stripe_limits import COMPANY_NAME_MAX, PO_NUMBER_MAX, TAX_ID_MAX


class PaymentRequest(models.Model):
    class State(models.TextChoices):
        SENT = "sent", "Sent"
        VIEWED = "viewed", "Viewed"
        PREPARING = "preparing", "Preparing the invoice"
        ISSUED = "issued", "Invoice issued"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"
        CLOSED = "closed", "Closed"

    # States in which the request still waits for money (one such request per order).
    OPEN = frozenset({State.SENT, State.VIEWED, State.PREPARING, State.ISSUED})
    # The payer may still choose: card or invoice (and the buyer may cancel or re-send).
    UNDECIDED = frozenset({State.SENT, State.VIEWED})

    order = models.ForeignKey("checkout.Order", on_delete=models.PROTECT, related_name="payment_requests")
    state = models.CharField(max_length=20, choices=State.choices, default=State.SENT, db_index=True)
    token_hash = models.CharField(
        max_length=64, unique=True, editable=False, help_text="SHA-256 of the payer's link token."
    )
    buyer_name = models.CharField(max_length=200)
    buyer_email = models.EmailField()
    payer_name = models.CharField(max_length=200)
    payer_email = models.EmailField()
    ap_email = models.EmailField("Accounts payable email", blank=True)
    company_name = models.CharField(max_length=COMPANY_NAME_MAX)
    tax_id = models.CharField("Tax ID", max_length=TAX_ID_MAX, blank=True)
    billing_country = models.CharField(max_length=2)
    # The bill-to street address, as accounts payable confirm it on the payer's page before the invoice
    # (Stripe's customer address; Stripe takes up to 5000 characters a line, these stay well inside).
    address_line1 = models.CharField("Street address", max_length=200, blank=True)
    address_line2 = models.CharField("Address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    region = models.CharField("State, county or region", max_length=100, blank=True)
    po_number = models.CharField("PO number", max_length=PO_NUMBER_MAX, blank=True)
    note = models.TextField(blank=True, help_text="The buyer's words to the payer.")
    sends = models.PositiveSmallIntegerField(default=1, help_text="How often the request was sent.")
    access_on_issue = models.BooleanField(
        default=False,
        help_text="Access was given when the invoice was issued (INVOICE_ACCESS_ON_ISSUE at the time); it "
        "lasts while the invoice is open or paid.",
    )

    sent_at = models.DateTimeField(auto_now_add=True)
    viewed_at = models.DateTimeField(null=True, blank=True)
    invoice_requested_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True, help_text="Why it was cancelled or closed.")
    details_confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the payer confirmed (or corrected) the bill-to details."
    )
    declined_reason = models.TextField(
        blank=True,
        help_text="The payer declined the request (it is then cancelled): their words to the buyer.",
    )
    problem = models.CharField(max_length=500, blank=True, help_text="Why the invoice could not be made.")

    stripe_customer_id = models.CharField(max_length=255, blank=True)
    stripe_invoice_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    invoice_status = models.CharField(max_length=30, blank=True, help_text="Stripe's invoice status.")
    invoice_number = models.CharField(max_length=100, blank=True)
    invoice_url = models.URLField(max_length=2000, blank=True)
    invoice_pdf_url = models.URLField(max_length=2000, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    amount_due_cents = models.PositiveIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    cash_balance_cents = models.IntegerField(
        null=True,
        blank=True,
        help_text="Bank transfers on the Stripe customer's cash balance not applied to the invoice (a part "
        "payment waiting for the rest, or an overpayment).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "checkout_paymentrequest"
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(state__in=["sent", "viewed", "preparing", "issued", "paid"]),
                name="one_live_payment_request_per_order",
            )
        ]

    def __str__(self) -> str:
        return f"payment request for {self.order} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN

    @property
    def can_choose(self) -> bool:
        return self.state in self.UNDECIDED

    def stripe_key(self, step: str) -> str:
        """The idempotency key of one Stripe call for this request (customer, invoice, item, finalize, void):
        a retried task never makes a second one."""
        order = self.order
        return f"payreq-{order.reference}-{order.token}-{self.pk}-{step}"

    @property
    def declined(self) -> bool:
        return self.state == self.State.CANCELLED and bool(self.declined_reason)

    def payer_addresses(self) -> list[str]:
        return [a for a in dict.fromkeys([self.payer_email, self.ap_email]) if a]
