from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.template.defaultfilters import pluralize
from django.utils.html import format_html, format_html_join

from catalog.admin_forms import ProductAdminForm
from catalog.admin_prices import ProductPriceInline, prices_before, record_formset_price_changes
from catalog.models import BundleItem, CurriculumModule, Product, ProductPrice
from catalog.money import format_money
from catalog.rules import validate_bundle_components
from catalog.selectors import bundles_missing_components
from catalog.services import confirm_prices, record_price_change, record_slug_change
from common.admin import extensions


class BundleItemFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [
            form.cleaned_data["component"]
            for form in self.forms
            if form.cleaned_data.get("component") and not form.cleaned_data.get("DELETE")
        ]
        # The parent form's kind and currency, not the saved ones: staff may change both at once.
        bundle = self.instance
        if not bundle.is_bundle and not kept:
            return
        validate_bundle_components(bundle, kept)


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    fk_name = "bundle"
    formset = BundleItemFormSet
    extra = 0
    autocomplete_fields = ["component"]
    fields = ["position", "component"]
    verbose_name = "bundle component"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "component" and formfield is not None:
            # The ✖ beside the chooser would delete the product itself, not take it out of the bundle
            # (that is the row's "Delete" box).
            formfield.widget.can_delete_related = False
        return formfield


class CurriculumModuleInline(admin.StackedInline):
    model = CurriculumModule
    extra = 0
    fields = [("position", "title"), "summary", "production_context"]


PRICE_FIELD_LABELS = ("Price", "Currency", "Confirm price change")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductAdminForm
    list_display = [
        "name",
        "kind",
        "price",
        "price_confirmed",
        "other_prices",
        "separate_value",
        "savings",
        "can_be_bought",
        "is_active",
        "position",
    ]
    list_editable = ["is_active", "position"]
    list_filter = ["kind", "is_active", "price_is_placeholder", "currency"]
    actions = ["confirm_selected_prices"]
    search_fields = ["name", "slug", "tagline"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProductPriceInline, BundleItemInline, CurriculumModuleInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "former_slugs", "kind", "tagline", "description", "audience"]}),
        (
            "Price and listing",
            {
                "fields": [
                    ("price", "currency"),
                    "confirm_price_change",
                    "price_status",
                    ("is_active", "position"),
                    "tax_code",
                    "can_be_bought",
                ]
            },
        ),
        ("After purchase", {"fields": ["access_instructions"]}),
    ]
    readonly_fields = ["former_slugs", "can_be_bought", "price_history", "price_status"]

    def get_inlines(self, request, obj=None):
        # Other apps' parts of a product's page (access adds its kit files): PRODUCT_ADMIN_INLINES.
        return [*self.inlines, *extensions("PRODUCT_ADMIN_INLINES")]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets
        return [*self.fieldsets, ("Price history", {"fields": ["price_history"]})]

    def get_queryset(self, request):
        return super().get_queryset(request).with_pricing().prefetch_related("prices")

    @admin.display(description="other prices")
    def other_prices(self, product: Product) -> str:
        """Pounds and euros, "(placeholder)" after a price staff have not confirmed."""
        shown = [
            format_money(row.amount_cents, row.currency) + (" (placeholder)" if row.is_placeholder else "")
            for row in product.prices.all()
        ]
        return ", ".join(shown) or "—"

    @admin.display(description="price", ordering="price_cents")
    def price(self, product: Product) -> str:
        return format_money(product.price_cents, product.currency)

    @admin.display(description="price confirmed", boolean=True, ordering="-price_is_placeholder")
    def price_confirmed(self, product: Product) -> bool:
        """Red until staff confirm a placeholder price (a new price or the "Confirm prices" action)."""
        return not product.price_is_placeholder

    @admin.display(description="price status")
    def price_status(self, product: Product) -> str:
        if product.price_is_placeholder:
            return (
                "Placeholder: not confirmed by staff yet. Saving a new price confirms it; so does “Confirm "
                "prices” on the product list, for a placeholder that is right as it is."
            )
        return "Confirmed."

    @admin.action(description="Confirm prices (they are real, not placeholders)", permissions=["change"])
    def confirm_selected_prices(self, request, queryset) -> None:
        confirmed = confirm_prices(queryset)
        for product in confirmed:
            self.log_change(
                request,
                product,
                f"Confirmed the price {format_money(product.price_cents, product.currency)} as real.",
            )
        count = len(confirmed)
        if count:
            self.message_user(request, f"Confirmed the price of {count} product{pluralize(count)}.")
        else:
            self.message_user(request, "None of the selected prices was a placeholder.", messages.WARNING)

    @admin.display(description="separate value", ordering="separate_value_cents")
    def separate_value(self, product: Product) -> str:
        pricing = product.pricing
        return format_money(pricing.separate_value_cents, product.currency) if pricing else "—"

    @admin.display(description="savings")
    def savings(self, product: Product) -> str:
        pricing = product.pricing
        if pricing is None:
            return "—"
        if not pricing.is_complete:
            return "none (a component is inactive)"
        if not pricing.has_savings:
            return "none (priced at or above its parts)"
        return f"{format_money(pricing.savings_cents, product.currency)} ({pricing.savings_percent}%)"

    @admin.display(description="former slugs")
    def former_slugs(self, product: Product) -> str:
        slugs = ", ".join(former.slug for former in product.former_slugs.all()) if product.pk else ""
        if not slugs:
            return "—"
        return f"{slugs} (FAQ placeholders and links with these still lead to this product)"

    @admin.display(description="changes, newest first")
    def price_history(self, product: Product) -> str:
        """Every saved price edit (ProductAdmin.save_model writes them), read-only."""
        changes = product.price_changes.select_related("changed_by")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    f"{change.changed_at:%Y-%m-%d %H:%M} UTC",
                    change.changed_by or "—",
                    "— (created)"
                    if change.old_price_cents is None
                    else format_money(change.old_price_cents, change.old_currency),
                    f"— (no longer sold in {change.new_currency})"
                    if change.new_price_cents is None
                    else format_money(change.new_price_cents, change.new_currency),
                )
                for change in changes
            ),
        )
        if not rows:
            return "No price changes recorded yet."
        return format_html(
            "<table><thead><tr><th>When</th><th>By</th><th>Old price</th><th>New price</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="can be bought")
    def can_be_bought(self, product: Product) -> str:
        if not product.is_active:
            return "no: inactive"
        pricing = product.pricing
        if pricing and not pricing.is_complete:
            count = pricing.inactive_component_count
            return f"no: {count} inactive component{pluralize(count)}"
        return "yes"

    def save_model(self, request, obj, form, change) -> None:
        if isinstance(form, ProductAdminForm) and form.price_before not in (
            None,
            (obj.price_cents, obj.currency),
        ):
            obj.price_is_placeholder = False  # staff typed a price: it is theirs now
        super().save_model(request, obj, form, change)
        if change and "slug" in form.changed_data:
            record_slug_change(product=obj, old_slug=form.initial["slug"])
        if isinstance(form, ProductAdminForm):  # the list page's inline edits never touch the price
            old_cents, old_currency = form.price_before or (None, "")
            record_price_change(
                product=obj, old_price_cents=old_cents, old_currency=old_currency, changed_by=request.user
            )

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not ProductPrice:
            super().save_formset(request, form, formset, change)
            return
        before = prices_before(formset)
        super().save_formset(request, form, formset, change)
        record_formset_price_changes(formset, before, product=form.instance, changed_by=request.user)

    def construct_change_message(self, request, form, formsets, add=False):
        """The admin history names the old and new price, not just "Changed Price"."""
        message = super().construct_change_message(request, form, formsets, add)
        saved = form.instance
        if (
            add
            or not isinstance(form, ProductAdminForm)
            or form.price_before in (None, (saved.price_cents, saved.currency))
        ):
            return message
        moved = f"price from {format_money(*form.price_before)} to {format_money(saved.price_cents, saved.currency)}"
        for entry in message:
            changed = entry.get("changed")
            if changed and "name" not in changed:  # the product's own fields, not an inline's
                others = [name for name in changed["fields"] if name not in PRICE_FIELD_LABELS]
                changed["fields"] = [moved, *others]
        return message

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        product = Product.objects.with_pricing().get(pk=form.instance.pk)
        for bundle, missing in bundles_missing_components(product).items():
            names = ", ".join(str(component) for component in missing)
            verb, pronoun = ("is", "it") if len(missing) == 1 else ("are", "them")
            self.message_user(
                request,
                f"{bundle} cannot be bought and shows no savings while {names} {verb} inactive. Make "
                f"{pronoun} active again or take {pronoun} out of the bundle.",
                messages.WARNING,
            )
        pricing = product.pricing
        if pricing and pricing.is_complete and not pricing.has_savings:
            self.message_user(
                request,
                f"{product} costs {format_money(product.price_cents, product.currency)}, not less than its "
                f"parts bought separately ({format_money(pricing.separate_value_cents, product.currency)}). "
                "The storefront will show no savings for it.",
                messages.WARNING,
            )
