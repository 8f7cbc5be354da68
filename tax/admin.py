from django.contrib import admin

from common.admin import ReadOnlyAdmin
from tax.models import TaxIdCheck


@admin.register(TaxIdCheck)
class TaxIdCheckAdmin(ReadOnlyAdmin):
    """What the registries said of buyers' VAT numbers: a record, never edited by hand."""

    list_display = [
        "number",
        "country",
        "result",
        "purpose",
        "subject_id",
        "consulted_at",
        "reference",
        "attempts",
    ]
    list_filter = ["result", "purpose", "country"]
    search_fields = ["number", "registered_name", "reference"]
    readonly_fields = [field.name for field in TaxIdCheck._meta.fields]
