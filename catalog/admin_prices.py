"""The product page's prices in pounds and euros: an inline beside the product's own (US dollar) price, and
the history rows its saves write (catalog.services.record_currency_price_change)."""

from django.contrib import admin

from catalog.admin_forms import ProductPriceForm
from catalog.models import ProductPrice
from catalog.services import record_currency_price_change


class ProductPriceInline(admin.TabularInline):
    """Prices in pounds and euros beside the product's own (US dollar) price. A currency without a row is
    one the product is not sold in: visitors who chose it are told so, and Checkout never sees it."""

    model = ProductPrice
    form = ProductPriceForm
    extra = 0
    max_num = len(ProductPrice._meta.get_field("currency").choices)
    fields = ["currency", "amount", "confirm_price_change", "is_placeholder"]
    readonly_fields = ["is_placeholder"]
    verbose_name = "price in another currency"
    verbose_name_plural = "prices in other currencies (leave a currency out to not sell in it)"


def prices_before(formset) -> dict[int, tuple[int, str]]:
    """Each saved row's (amount, currency) before this edit, keyed by the form's instance object (a deleted
    row loses its pk, and its amount may already hold what was typed)."""
    return {
        id(form.instance): form.price_before for form in formset.forms if getattr(form, "price_before", None)
    }


def record_formset_price_changes(formset, before: dict[int, tuple[int, str]], *, product, changed_by) -> None:
    """One history row per price set, changed or removed by the saved formset."""
    for row in formset.deleted_objects:
        old_cents, currency = before[id(row)]
        record_currency_price_change(
            product=product, currency=currency, old_cents=old_cents, new_cents=None, changed_by=changed_by
        )
    for row in formset.new_objects + [changed for changed, _fields in formset.changed_objects]:
        old_cents, old_currency = before.get(id(row)) or (None, row.currency)
        if old_cents is not None and old_currency != row.currency:  # the row moved to another currency
            record_currency_price_change(
                product=product,
                currency=old_currency,
                old_cents=old_cents,
                new_cents=None,
                changed_by=changed_by,
            )
            old_cents = None
        record_currency_price_change(
            product=product,
            currency=row.currency,
            old_cents=old_cents,
            new_cents=row.amount_cents,
            changed_by=changed_by,
        )
