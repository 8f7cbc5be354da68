"""Invoice corrections in the admin: read-only records of who asked for what and what Stripe issued."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from catalog.money import format_money
from common.admin import ReadOnlyAdmin
from corrections.forms import CorrectionForm, country_name
from corrections.models import HEADER_FIELDS, InvoiceCorrection

# The header's labels, as the correction page shows them.
LABELS = {name: str(CorrectionForm.base_fields[name].label) for name in HEADER_FIELDS}


def _header_lines(header: dict) -> str:
    rows = [(LABELS.get(name, name), header.get(name) or "—") for name in HEADER_FIELDS]
    return format_html_join("\n", "<div><strong>{}:</strong> {}</div>", rows)


def _link(url: str) -> str:
    return format_html('<a href="{}" rel="noreferrer">{}</a>', url, url) if url else "—"


@admin.register(InvoiceCorrection)
class InvoiceCorrectionAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "order",
        "kind",
        "state",
        "original_invoice_number",
        "new_invoice_number",
        "requested_by",
        "created_at",
    ]
    list_filter = ["state", "kind"]
    list_select_related = ["order"]
    search_fields = ["order__reference", "original_invoice_number", "new_invoice_number", "company_name"]
    readonly_fields = [
        "before_header",
        "after_header",
        "country_shown",
        "original_total",
        "new_invoice_total",
        "vat_refunded",
        "original_invoice",
        "stripe_customer",
        "new_invoice",
        "new_invoice_page",
        "new_invoice_pdf",
        "credit_note",
    ]
    fieldsets = [
        (None, {"fields": ["order", "payment_request", "kind", "state", "requested_by", "problem"]}),
        ("Invoice header", {"fields": ["before_header", "after_header", "country_shown"]}),
        (
            "Original invoice",
            {"fields": ["original_invoice", "original_invoice_number", "original_total", "vat_refunded"]},
        ),
        (
            "What Stripe issued",
            {
                "fields": [
                    "stripe_customer",
                    "new_invoice",
                    "new_invoice_number",
                    "new_invoice_page",
                    "new_invoice_pdf",
                    "new_invoice_total",
                    "credit_note",
                ]
            },
        ),
        ("When", {"fields": ["created_at", "issued_at", "updated_at"]}),
    ]

    @admin.display(description="Before (as issued)")
    def before_header(self, correction: InvoiceCorrection) -> str:
        return _header_lines(correction.before or {})

    @admin.display(description="After (corrected)")
    def after_header(self, correction: InvoiceCorrection) -> str:
        return _header_lines(correction.header())

    @admin.display(description="Country (never corrected)")
    def country_shown(self, correction: InvoiceCorrection) -> str:
        return f"{country_name(correction.country)} ({correction.country})"

    @admin.display(description="Original invoice total")
    def original_total(self, correction: InvoiceCorrection) -> str:
        if correction.original_total_cents is None:
            return "—"
        return format_money(correction.original_total_cents, correction.currency)

    @admin.display(description="New invoice total")
    def new_invoice_total(self, correction: InvoiceCorrection) -> str:
        if correction.new_invoice_total_cents is None:
            return "—"
        return format_money(correction.new_invoice_total_cents, correction.currency)

    @admin.display(description="VAT refunded")
    def vat_refunded(self, correction: InvoiceCorrection) -> str:
        return format_money(correction.vat_cents, correction.currency) if correction.vat_cents else "—"

    @admin.display(description="Original invoice (Stripe ID)")
    def original_invoice(self, correction: InvoiceCorrection) -> str:
        return correction.original_invoice_id or "—"

    @admin.display(description="Stripe customer ID")
    def stripe_customer(self, correction: InvoiceCorrection) -> str:
        return correction.stripe_customer_id or "—"

    @admin.display(description="New invoice (Stripe ID)")
    def new_invoice(self, correction: InvoiceCorrection) -> str:
        return correction.new_invoice_id or "—"

    @admin.display(description="New invoice page")
    def new_invoice_page(self, correction: InvoiceCorrection) -> str:
        return _link(correction.new_invoice_url)

    @admin.display(description="New invoice PDF")
    def new_invoice_pdf(self, correction: InvoiceCorrection) -> str:
        return _link(correction.new_invoice_pdf_url)

    @admin.display(description="Credit note (Stripe ID)")
    def credit_note(self, correction: InvoiceCorrection) -> str:
        return correction.credit_note_id or "—"
