"""What the course platform tells the shop: each signed event as received, each learner's furthest progress
on a course, and the certificates it issued, each with its public verification code."""

import secrets

from django.db import models

from catalog.models import Product
from checkout.models import Order


class CourseEvent(models.Model):
    """One event as the course platform sent it, kept by its `id` so a repeat is dropped. Processing
    (learning.progress.apply) runs in a task enqueued with the row."""

    class Type(models.TextChoices):
        STARTED = "learner.started", "Learner started"
        PROGRESSED = "learner.progressed", "Learner progressed"
        PASSED = "learner.passed", "Learner passed"
        CERTIFICATE_ISSUED = "certificate.issued", "Certificate issued"
        CERTIFICATE_REVOKED = "certificate.revoked", "Certificate revoked"

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=40, choices=Type.choices)
    happened_at = models.DateTimeField(help_text="The event's `created` time on the course platform.")
    holder_email = models.EmailField()
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class Progress(models.Model):
    """How far one person got on one course: each field only moves forward, whatever order events come in."""

    holder_email = models.EmailField()
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    passed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "progress"
        constraints = [
            models.UniqueConstraint(
                fields=["holder_email", "product"], name="one_progress_per_learner_course"
            )
        ]

    def __str__(self) -> str:
        return f"{self.holder_email} on {self.product_id}: {self.percent}%"


def new_verification_code() -> str:
    return secrets.token_urlsafe(12)


class Certificate(models.Model):
    """A certificate the course platform issued. Valid while its latest issue is later than its latest
    revocation (by the platform's event times). It certifies the exam, so a refund leaves it alone."""

    platform_id = models.CharField(
        max_length=255, unique=True, help_text="The course platform's certificate id."
    )
    code = models.CharField(max_length=32, unique=True, default=new_verification_code, editable=False)
    holder_email = models.EmailField(db_index=True)
    holder_name = models.CharField(max_length=200, blank=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField(null=True, blank=True, help_text="Blank until the issue event arrives.")
    issued_event_at = models.DateTimeField(null=True, blank=True)
    revoked_event_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(
        null=True, blank=True, help_text="When the holder made the page not public."
    )
    emailed_at = models.DateTimeField(null=True, blank=True, help_text="When the holder was sent its link.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"{self.product_id} certificate of {self.holder_email}"

    @property
    def issued(self) -> bool:
        return self.issued_event_at is not None and self.issued_on is not None

    @property
    def valid(self) -> bool:
        return self.issued and (self.revoked_event_at is None or self.issued_event_at > self.revoked_event_at)


class SummaryOptOut(models.Model):
    """A buyer who asked for no more weekly roster summaries about one order (teams.roster_summary)."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"no summaries for order {self.order_id}"
