from django.contrib import admin

from checkout.models import Order


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Orders are written by checkout and Stripe only: staff can look, never edit or delete."""

    list_display = ["__str__", "status", "email", "total_cents", "currency", "created_at", "paid_at"]
    list_filter = ["status"]
    search_fields = ["reference", "email", "stripe_session_id", "stripe_payment_intent_id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
