"""Credit notes in the admin: read-only records of what Stripe issued (staff void or add notes in Stripe;
reconcile brings them here)."""

from django.contrib import admin

from catalog.money import format_money
from common.admin import ReadOnlyAdmin
from credit_notes.models import CreditNote


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    list_display = ["number", "order", "stripe_invoice_id", "total", "tax", "reason", "status", "created"]
    list_filter = ["status", "reason", "currency"]
    search_fields = ["number", "stripe_credit_note_id", "stripe_invoice_id", "order__reference"]
    ordering = ["-created"]

    @admin.display(description="Total")
    def total(self, note: CreditNote) -> str:
        return format_money(note.amount_cents, note.currency)

    @admin.display(description="Tax part")
    def tax(self, note: CreditNote) -> str:
        return format_money(note.tax_cents, note.currency)
