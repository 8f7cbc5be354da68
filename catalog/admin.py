from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet

from catalog.models import BundleItem, CurriculumModule, Product
from catalog.money import format_money
from catalog.rules import validate_bundle_components
from config.public_cache import BumpsPublicCacheAdmin


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


class CurriculumModuleInline(admin.StackedInline):
    model = CurriculumModule
    extra = 0
    fields = [("position", "title"), "summary", "production_context"]


@admin.register(Product)
class ProductAdmin(BumpsPublicCacheAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "price", "separate_value", "savings", "is_active", "position"]
    list_editable = ["is_active", "position"]
    list_filter = ["kind", "is_active", "currency"]
    search_fields = ["name", "slug", "tagline"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [BundleItemInline, CurriculumModuleInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "tagline", "description", "audience"]}),
        ("Price and listing", {"fields": [("price_cents", "currency"), ("is_active", "position")]}),
        ("After purchase", {"fields": ["access_instructions"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_pricing()

    @admin.display(description="price", ordering="price_cents")
    def price(self, product: Product) -> str:
        return format_money(product.price_cents, product.currency)

    @admin.display(description="separate value", ordering="separate_value_cents")
    def separate_value(self, product: Product) -> str:
        pricing = product.pricing
        return format_money(pricing.separate_value_cents, product.currency) if pricing else "—"

    @admin.display(description="savings")
    def savings(self, product: Product) -> str:
        pricing = product.pricing
        if pricing is None:
            return "—"
        if not pricing.has_savings:
            return "none (priced at or above its parts)"
        return f"{format_money(pricing.savings_cents, product.currency)} ({pricing.savings_percent}%)"

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        product = Product.objects.with_pricing().get(pk=form.instance.pk)
        pricing = product.pricing
        if pricing and not pricing.has_savings:
            self.message_user(
                request,
                f"{product} costs {format_money(product.price_cents, product.currency)}, not less than its "
                f"parts bought separately ({format_money(pricing.separate_value_cents, product.currency)}). "
                "The storefront will show no savings for it.",
                messages.WARNING,
            )
