from django.db import models


class TaxIdCheck(models.Model):
    """One registry check of a buyer's VAT number for one order or payment request: what the registry
    said, when, and its consultation reference. Made (once per subject and number) in the transaction
    that records the number; a background task asks the registry and fills it in."""

    class Purpose(models.TextChoices):
        ORDER = "order", "Order"
        PAYMENT_REQUEST = "payment_request", "Payment request"

    class Result(models.TextChoices):
        PENDING = "pending", "Waiting for the registry"
        VALID = "valid", "Registered"
        INVALID = "invalid", "Rejected by the registry"
        UNCHECKED = "unchecked", "Could not be checked"

    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    # The order's or the payment request's id (tax knows neither model: it sits below both apps).
    subject_id = models.PositiveBigIntegerField()
    # The order the number bills (the subject itself, or the payment request's order), so a receipt finds
    # every check of its order without knowing which apps ask.
    order_id = models.PositiveBigIntegerField(null=True, db_index=True)
    country = models.CharField(max_length=2, help_text="ISO country code of the number (Greece: GR).")
    number = models.CharField(max_length=20, help_text="With its prefix, as the registries take it.")
    result = models.CharField(max_length=10, choices=Result.choices, default=Result.PENDING)
    reason = models.CharField(
        max_length=500, blank=True, help_text="The registry's reason, or why it could not say."
    )
    registered_name = models.CharField(max_length=500, blank=True)
    registered_address = models.CharField(max_length=500, blank=True)
    consulted_at = models.DateTimeField(null=True, blank=True, help_text="When the registry answered.")
    reference = models.CharField(max_length=100, blank=True, help_text="The registry's consultation number.")
    attempts = models.PositiveIntegerField(default=0)
    # When the app that asked acted on the final answer (flagged the order, told the buyer): once only.
    acted_on_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "subject_id", "number"], name="tax_id_check_once_per_subject"
            )
        ]
        indexes = [models.Index(fields=["purpose", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.number}: {self.get_result_display()}"
