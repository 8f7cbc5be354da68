"""Catalogue rules: bundle composition (shared by model validation, the admin formset and the seed command)
and whether a product can be bought (shared by the storefront pages, checkout and the admin)."""

from collections.abc import Iterable
from fractions import Fraction

from django.core.exceptions import ValidationError

from catalog import tax_codes

MIN_BUNDLE_COMPONENTS = 2
# Product slugs that would be shadowed by fixed URLs beside the product routes: /checkout/start/ and
# /checkout/success/ come before /checkout/<slug>/ (tests/catalog/test_slugs.py checks this against the URLs).
RESERVED_SLUGS = frozenset({"start", "success"})
# A new price further than this from the current one (either way) must be confirmed: it catches `147.00`
# typed where cents were expected, or a digit lost, without getting in the way of ordinary changes.
PRICE_CHANGE_CONFIRM_RATIO = Fraction(1, 2)


def component_errors(bundle, component) -> str:
    """Why `component` cannot go into `bundle`, or an empty string when it can."""
    if not bundle.is_bundle:
        return "Only a bundle can have components."
    if bundle.pk is not None and component.pk == bundle.pk:
        return "A bundle cannot contain itself."
    if component.is_bundle:
        return "A bundle cannot contain another bundle."
    if component.currency != bundle.currency:
        return f"{component} is priced in {component.currency}; this bundle is priced in {bundle.currency}."
    return ""


def validate_bundle_components(bundle, components: Iterable) -> None:
    """Raise ValidationError unless `components` form a valid bundle for `bundle`."""
    components = list(components)
    if not bundle.is_bundle:
        if components:
            raise ValidationError("Only a bundle can have components.")
        return
    errors = [message for component in components if (message := component_errors(bundle, component))]
    if len({component.pk for component in components}) != len(components):
        errors.append("Each product can appear in a bundle only once.")
    if len(components) < MIN_BUNDLE_COMPONENTS:
        errors.append(f"A bundle needs at least {MIN_BUNDLE_COMPONENTS} components.")
    if errors:
        raise ValidationError(errors)


def can_be_bought(product) -> bool:
    """Buyers may buy `product`: it is active, has a tax code Stripe Tax can use and, for a bundle, every
    component is active. A bundle with a part off sale would deliver less than it lists, so it waits until
    staff put the part back or remove it."""
    pricing = product.pricing
    return (
        product.is_active
        and not tax_codes.problem(product.tax_code)
        and (pricing is None or pricing.is_complete)
    )


def price_change_needs_confirmation(
    *, old_cents: int, old_currency: str, new_cents: int, new_currency: str
) -> bool:
    """Whether a price edit is big enough that staff must confirm it was meant: more than half the current
    price up or down, or any change of currency (the same number means something else in another one)."""
    if old_currency != new_currency:
        return True
    return abs(new_cents - old_cents) > old_cents * PRICE_CHANGE_CONFIRM_RATIO


def slug_error(slug: str, *, former_owner: object | None = None) -> str:
    """Why `slug` cannot name a product, or an empty string when it can: a fixed URL uses it, or another
    product (`former_owner`, found by the caller among former slugs) had it before a rename, and old
    placeholders and links still mean that product. Plain data in, so this module imports no model."""
    if slug in RESERVED_SLUGS:
        return f"“{slug}” is taken by a page of the site (/checkout/{slug}/); choose another slug."
    if former_owner is not None:
        return (
            f"“{slug}” used to be the slug of {former_owner}, and FAQ placeholders and old links written "
            "with it still lead there; choose another slug."
        )
    return ""
