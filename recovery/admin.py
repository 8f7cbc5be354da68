"""Staff see what the reminders did: each decision with its reason, the consents and who unsubscribed.
All read-only: the records are written by the buyer's own answers and the tasks."""

from django.contrib import admin

from common.admin import ReadOnlyAdmin
from recovery.models import RecoveredOrder, RecoveryConsent, Reminder, Unsubscribe


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("decided_at", "email", "product", "quantity", "decision", "reason", "sent_at", "order")
    list_filter = ("decision", "product")
    search_fields = ("email", "order__reference", "session_id")
    list_select_related = ("product", "order")


@admin.register(RecoveryConsent)
class RecoveryConsentAdmin(ReadOnlyAdmin):
    list_display = ("consented_at", "email", "text_version", "order")
    search_fields = ("email", "order__reference")
    list_select_related = ("order",)


@admin.register(Unsubscribe)
class UnsubscribeAdmin(ReadOnlyAdmin):
    list_display = ("unsubscribed_at", "email")
    search_fields = ("email",)


@admin.register(RecoveredOrder)
class RecoveredOrderAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "order", "recovered_from")
    search_fields = ("order__reference", "recovered_from__email")
    list_select_related = ("order", "recovered_from")
