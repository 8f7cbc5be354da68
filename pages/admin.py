from django import forms
from django.contrib import admin

from catalog.selectors import products_by_slug
from pages.models import Page
from pages.render import unknown_page_placeholders


class PageForm(forms.ModelForm):
    class Meta:
        model = Page
        fields = ["title", "description", "body"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        unknown = unknown_page_placeholders(body, products_by_slug())
        if unknown:
            raise forms.ValidationError(
                "These placeholders cannot be filled: %(unknown)s. Use {contact_email}, or a price "
                "placeholder such as {price:level-i} naming a product on sale.",
                params={"unknown": ", ".join(unknown)},
            )
        return body


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    """Staff edit the wording; the set of pages and their addresses are fixed in code (pages.urls)."""

    form = PageForm
    list_display = ["title", "slug", "updated_at"]
    search_fields = ["title", "description", "body"]
    readonly_fields = ["slug", "updated_at"]
    fields = ["slug", "title", "description", "body", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
