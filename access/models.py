"""What a paid order gives: one access grant per seat and product, kit files, downloads and sign-in links."""

import secrets
from pathlib import PurePosixPath

from django.core.exceptions import SuspiciousFileOperation
from django.db import models
from django.utils.text import get_valid_filename

from catalog.models import Product
from checkout.models import Order, OrderLine


def new_grant_token() -> str:
    return secrets.token_urlsafe(18)


class Grant(models.Model):
    """Access to one product for one seat of an order line. A Bundle seat holds one grant per component;
    the grants of one seat share `seat` and are assigned, given and revoked together."""

    class State(models.TextChoices):
        UNASSIGNED = "unassigned", "Unassigned"
        ACTIVE = "active", "Active"
        REVOKED = "revoked", "Revoked"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="grants")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="grants")
    seat = models.PositiveIntegerField(help_text="1 for the first seat of the line.")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="grants")
    token = models.CharField(max_length=32, unique=True, default=new_grant_token, editable=False)
    holder_name = models.CharField(max_length=200, blank=True)
    holder_email = models.EmailField(blank=True, db_index=True, help_text="Blank: the seat is not assigned.")
    state = models.CharField(max_length=12, choices=State.choices, default=State.UNASSIGNED, db_index=True)
    revoked_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When its holder took the seat through a claim link themselves."
    )
    claim_link_out_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the buyer first took this seat's claim link to send it: a bulk list fills other "
        "free seats first.",
    )
    first_seen_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When its holder's browser first opened the purchases page showing it.",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    restored_at = models.DateTimeField(
        null=True, blank=True, help_text="When staff last restored it: reconcile_access leaves it alone."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order_id", "line_id", "seat", "id"]
        constraints = [
            models.UniqueConstraint(fields=["line", "seat", "product"], name="one_grant_per_seat_and_product")
        ]

    def __str__(self) -> str:
        return f"{self.product} seat {self.seat} of {self.order}"


def kit_file_path(kit_file: "KitFile", filename: str) -> str:
    """Storage name under kits/<product slug>/: only the base name survives, made safe for any disk."""
    try:
        base = get_valid_filename(PurePosixPath(filename.replace("\\", "/")).name)
    except SuspiciousFileOperation:  # "", "." or ".."
        base = "file"
    return f"kits/{kit_file.product.slug}/{base}"


class KitFile(models.Model):
    """A file holders of a kit download. Stored through Django's storage API and never served publicly:
    only a signed, expiring link for an active grant reaches it."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="kit_files")
    title = models.CharField(max_length=160, help_text="Shown to holders, e.g. 'Resume templates (DOCX)'.")
    file = models.FileField(upload_to=kit_file_path, max_length=255)
    is_sample = models.BooleanField(
        default=False, help_text="Made by the project so a fresh install can be tried end to end."
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product_id", "position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def download_name(self) -> str:
        return PurePosixPath(self.file.name).name


class Download(models.Model):
    """One download of a kit file, so staff can answer "did they get it?" when a refund or dispute comes."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="downloads")
    kit_file = models.ForeignKey(KitFile, on_delete=models.SET_NULL, null=True, related_name="downloads")
    file_name = models.CharField(max_length=255)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    bytes = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.bytes} bytes)"


class SignInLink(models.Model):
    """A sign-in link sent by email. The link names only its random nonce (signed, with its time), so the
    address never travels in a URL; each link opens the purchases page once (`used_at`)."""

    nonce = models.CharField(max_length=64, unique=True)
    email = models.EmailField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.nonce


class CreditClaim(models.Model):
    """A grant whose purchase is being credited towards a Bundle on a pending order. While unreleased it
    cannot be credited again (two tabs, two clicks); an expired or failed order releases it."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="credit_claims")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="credit_claims")
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant"],
                condition=models.Q(released_at__isnull=True),
                name="one_live_claim_per_grant",
            )
        ]

    def __str__(self) -> str:
        return f"credit of {self.grant} on {self.order}"


class EnrolmentDelivery(models.Model):
    """One enrolment event for the academy's course platform (COURSE_ENROLMENT_WEBHOOK_URL): a grant given
    or revoked. Written with the grant change; its task POSTs the stored payload until a 2xx, and a
    delivered row is never sent again. `event_id` travels in the payload so the receiver can dedupe."""

    class Event(models.TextChoices):
        GRANTED = "enrolment.granted", "Granted"
        REVOKED = "enrolment.revoked", "Revoked"

    event_id = models.CharField(max_length=64, unique=True)
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="enrolment_deliveries")
    event = models.CharField(max_length=20, choices=Event.choices)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="A worker is sending it.")
    delivered_at = models.DateTimeField(null=True, blank=True, db_index=True)
    cancelled_at = models.DateTimeField(
        null=True, blank=True, help_text="Superseded before it was sent (seat reassigned or revoked first)."
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    marked_by = models.CharField(
        max_length=200,
        blank=True,
        help_text="Staff who enrolled the holder by hand while the webhook was off (nothing was sent).",
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "enrolment deliveries"

    def __str__(self) -> str:
        return f"{self.event} {self.event_id}"


class HolderToEnrol(Grant):
    """The admin worklist of course holders to enrol by hand while the course enrolment webhook is off
    (access.manual_enrolment): the same grant rows, seen as work."""

    class Meta:
        proxy = True
        verbose_name = "course holder to enrol"
        verbose_name_plural = "course holders to enrol"


class PurchasesLink(models.Model):
    """A personal link to the purchases page carried by an order email (the confirmation, each access
    email, the refund receipt). It names one order and one address, works (many times) until it expires or
    staff revoke it, and gives access only while that order still gives this address access. Only a hash
    of its token is stored: the link itself lives in the email alone."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="purchases_links")
    email = models.EmailField(max_length=254, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_with = models.CharField(max_length=40, blank=True, help_text="Which email carried it.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True, db_index=True)
    revoked_by = models.CharField(max_length=200, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0, help_text="Times its button signed someone in.")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "emailed purchases link"

    def __str__(self) -> str:
        return f"link for {self.email} ({self.order})"
