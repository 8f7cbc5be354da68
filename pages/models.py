from django.db import models
from django.urls import reverse

# (slug, address, link text). Every page has a fixed address; staff edit the words in admin.
PAGE_ADDRESSES = (
    ("terms", "terms-of-sale/", "Terms of sale"),
    ("privacy", "privacy/", "Privacy notice"),
    ("refunds", "refund-policy/", "Refund policy"),
    ("contact", "contact/", "Contact"),
    ("expensing", "expensing/", "Paying through your employer"),
)


class Page(models.Model):
    """One of the site's fixed information pages (terms, privacy, refunds, contact, expensing).

    Each has its fixed address in PAGE_ADDRESSES, so staff edit the wording here but never add or remove pages.
    """

    slug = models.SlugField(max_length=40, unique=True, help_text="Which page this is; fixed.")
    title = models.CharField(
        max_length=120, unique=True, help_text="The page's heading, also its title in search results."
    )
    description = models.CharField(
        "meta description",
        max_length=300,
        unique=True,
        help_text="One or two sentences that search engines show under the title. Unique per page.",
    )
    body = models.TextField(
        help_text="Plain text. Blank lines separate paragraphs; a paragraph starting with “## ” is a "
        "subheading; lines starting with “- ” make a list. {contact_email} becomes the contact address "
        "and price placeholders such as {price:level-i} or {price:bundle} follow the catalogue."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(f"pages:{self.slug}")
