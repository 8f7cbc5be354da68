from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from catalog import rules, tax_codes
from catalog.money import CURRENCY_CHOICES, DEFAULT_CURRENCY, EXTRA_PRICE_CURRENCIES
from catalog.pricing import BundlePricing, annotate_pricing, bundle_pricing

currency_validator = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code such as USD.")


class ProductQuerySet(models.QuerySet):
    def active(self) -> "ProductQuerySet":
        return self.filter(is_active=True)

    def with_pricing(self, currency: str = "") -> "ProductQuerySet":
        """Each product's price in `currency` (default: the catalogue's own) and a bundle's value and
        savings in it, in the same query: see catalog.pricing."""
        return annotate_pricing(self, currency or DEFAULT_CURRENCY)


class Product(models.Model):
    class Kind(models.TextChoices):
        COURSE = "course", "Certification course"
        KIT = "kit", "Kit"
        BUNDLE = "bundle", "Bundle"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    tagline = models.CharField(max_length=200, help_text="One line shown under the name.")
    description = models.TextField(help_text="What the product covers. Blank lines separate paragraphs.")
    audience = models.TextField("who it is for", help_text="Who should buy it.")
    price_cents = models.PositiveIntegerField(
        "price (cents)",
        validators=[MinValueValidator(1)],
        help_text="Whole cents: 14700 is $147.00.",
    )
    currency = models.CharField(
        max_length=3, default="USD", choices=CURRENCY_CHOICES, validators=[currency_validator]
    )
    price_is_placeholder = models.BooleanField(
        "placeholder price",
        default=False,
        help_text="The price is a stand-in that staff have not confirmed yet. Saving a new price, or the "
        "“Confirm prices” action on the product list, confirms it.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive products are hidden and cannot be bought."
    )
    position = models.PositiveIntegerField(default=0, help_text="Lower numbers are listed first.")
    tax_code = models.CharField(
        max_length=20,
        blank=True,
        choices=tax_codes.CHOICES,
        help_text="What Stripe Tax treats the product as. Left empty, the usual code for its kind is filled "
        "in when saved; an active product must have one.",
    )
    access_instructions = models.TextField(
        blank=True,
        help_text="Shown to holders on their purchases page and in their access email: what to do next, "
        "where the course lives. Blank lines separate paragraphs.",
    )
    components = models.ManyToManyField(
        "self",
        through="BundleItem",
        through_fields=("bundle", "component"),
        symmetrical=False,
        related_name="bundles",
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price_cents__gt=0), name="product_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The default depends on the kind, which a field default cannot see.
        if not self.tax_code:
            self.tax_code = tax_codes.default_for(self.kind)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "tax_code"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("catalog:product", kwargs={"slug": self.slug})

    @property
    def is_bundle(self) -> bool:
        return self.kind == self.Kind.BUNDLE

    @cached_property
    def pricing(self) -> BundlePricing | None:
        """Separate value and savings for a bundle (None for other products); see catalog.pricing."""
        return bundle_pricing(self)

    @property
    def can_be_bought(self) -> bool:
        return rules.can_be_bought(self)

    @property
    def offered(self) -> bool:
        """Buyers may buy it in the currency its queryset was annotated with (default: its own): it can be
        bought, and it has a price there."""
        return (
            self.can_be_bought
            and self.price_in(getattr(self, "offer_currency", None) or self.currency) is not None
        )

    def price_in(self, currency: str) -> int | None:
        """The product's price in `currency` (minor units), or None when staff set none: the product's
        own price field for its own currency, else its ProductPrice row. Uses the queryset's annotation
        or prefetched `prices` when there, else one query."""
        currency = currency.upper()
        if currency == self.currency:
            return self.price_cents
        if getattr(self, "offer_currency", None) == currency:
            return self.offer_price_cents
        if self.pk is None:
            return None
        cached = getattr(self, "_prefetched_objects_cache", {}).get("prices")
        if cached is not None:
            return next((row.amount_cents for row in cached if row.currency == currency), None)
        return self.prices.filter(currency=currency).values_list("amount_cents", flat=True).first()

    def clean(self) -> None:
        super().clean()
        if self.currency:
            self.currency = self.currency.upper()
        errors = {}
        self.tax_code = self.tax_code or tax_codes.default_for(self.kind)
        if self.is_active and (message := tax_codes.problem(self.tax_code)):
            errors["tax_code"] = message
        former = (
            FormerSlug.objects.filter(slug=self.slug)
            .exclude(product_id=self.pk)
            .select_related("product")
            .first()
            if self.slug
            else None
        )
        if self.slug and (message := rules.slug_error(self.slug, former_owner=former and former.product)):
            errors["slug"] = message
        if self.pk is not None:
            if not self.is_bundle and self.bundle_items.exists():
                errors["kind"] = "This product has bundle components; only a bundle can have them."
            if self.is_bundle and self.bundles.exists():
                errors["kind"] = "This product is part of a bundle; a bundle cannot contain another bundle."
            if self.is_bundle and self.components.exclude(currency=self.currency).exists():
                errors["currency"] = "Every component of a bundle must be priced in the bundle's currency."
            if self.prices.filter(currency=self.currency).exists():
                errors["currency"] = (
                    f"This product also has a {self.currency} price below; delete that row before making "
                    f"{self.currency} its own currency."
                )
            if self.bundles.exclude(currency=self.currency).exists():
                errors["currency"] = "This product is part of a bundle priced in another currency."
        if errors:
            raise ValidationError(errors)


class FormerSlug(models.Model):
    """A slug a product had before staff renamed it. FAQ placeholders and links written with it keep
    leading to the product, so renaming never strands them; no other product may take it."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="former_slugs")
    slug = models.SlugField(max_length=120, unique=True)
    retired_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-retired_at", "-id"]

    def __str__(self) -> str:
        return self.slug


class BundleItem(models.Model):
    bundle = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="bundle_items")
    component = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="component_of")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "component"], name="bundle_component_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.component} in {self.bundle}"

    def clean(self) -> None:
        super().clean()
        if not (self.bundle_id and self.component_id):
            return
        message = rules.component_errors(self.bundle, self.component)
        if message:
            raise ValidationError({"component": message})


class CurriculumModule(models.Model):
    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        related_name="modules",
        limit_choices_to={"kind": Product.Kind.COURSE},
    )
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=160)
    summary = models.TextField()
    production_context = models.TextField(
        blank=True, help_text="How this module shows up in film, TV and production work."
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class ProductPrice(models.Model):
    """The product's price in one more currency (pounds, euros) beside its own price field, set by staff.
    A currency without a row is one the product is not sold in; Checkout never sees it there."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(max_length=3, choices=[(code, code) for code in EXTRA_PRICE_CURRENCIES])
    amount_cents = models.PositiveIntegerField(
        "price (minor units)",
        validators=[MinValueValidator(1)],
        help_text="Whole pence or cents: 11900 is £119.00.",
    )
    is_placeholder = models.BooleanField(
        "placeholder price",
        default=False,
        help_text="A stand-in that staff have not confirmed yet; saving a new amount confirms it.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency"]
        constraints = [
            models.UniqueConstraint(fields=["product", "currency"], name="product_price_one_per_currency"),
            models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="product_price_row_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product} in {self.currency}"

    def clean(self) -> None:
        super().clean()
        product = self.product if self.product_id or "product" in self._state.fields_cache else None
        if product is not None and self.currency == product.currency:
            raise ValidationError(
                {"currency": f"{self.currency} is the product's own currency: set that price above."}
            )


class PriceChange(models.Model):
    """One edit of a product's price in one currency (its own, or a ProductPrice row), written by the admin
    save: the product's price history."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="price_changes")
    old_price_cents = models.PositiveIntegerField(null=True, blank=True, help_text="Empty when created.")
    old_currency = models.CharField(max_length=3, blank=True)
    new_price_cents = models.PositiveIntegerField(null=True, blank=True, help_text="Empty when removed.")
    new_currency = models.CharField(max_length=3)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.product} price change at {self.changed_at:%Y-%m-%d %H:%M} UTC"
