"""Order admin: read-only orders with their payments, refunds, disputes, emails and history.

Orders are written by checkout and Stripe only. Staff can look (the `view_order` permission is enough),
never add, edit or delete. The finance app adds its export action and pages (finance/admin.py).
"""

import datetime as dt
import json

from django.contrib import admin
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from catalog.money import format_money
from checkout import admin_tasks  # noqa: F401  (registers the task admin)
from checkout.models import Dispute, EmailDelivery, Order, OrderEvent, OrderLine, Payment, Refund, StripeEvent

EXPORT_PERMISSION = "checkout.export_orders"


def compact_time(moment: dt.datetime | None) -> str:
    """`2026-01-05 09:30` in UTC: short enough for a list column, unambiguous for finance."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") if moment else "-"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Payment data comes from checkout and Stripe only: staff can look, never add, edit or delete."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["product_slug", "product_name", "unit_price", "quantity", "amount"]
    readonly_fields = fields
    verbose_name = "line"

    @admin.display(description="unit price")
    def unit_price(self, line: OrderLine) -> str:
        return format_money(line.unit_price_cents, line.order.currency)

    @admin.display(description="amount")
    def amount(self, line: OrderLine) -> str:
        return format_money(line.amount_cents, line.order.currency)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order")


class StripeEventInline(ReadOnlyInline):
    model = StripeEvent
    fields = ["event", "type", "created", "received_at"]
    readonly_fields = fields
    verbose_name = "Stripe event received"
    verbose_name_plural = "Stripe events received"

    @admin.display(description="event id")
    def event(self, event: StripeEvent) -> str:
        url = reverse("admin:checkout_stripeevent_change", args=[event.pk])
        return format_html('<a href="{}">{}</a>', url, event.event_id)


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = [
        "status",
        "amount_cents",
        "currency",
        "paid_at",
        "fee_cents",
        "net_cents",
        "stripe_payment_intent_id",
        "stripe_charge_id",
    ]
    readonly_fields = fields


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ["stripe_refund_id", "status", "amount_cents", "currency", "reason", "created"]
    readonly_fields = fields


class DisputeInline(ReadOnlyInline):
    model = Dispute
    fields = [
        "stripe_dispute_id",
        "status",
        "amount_cents",
        "currency",
        "reason",
        "created",
        "funds_withdrawn_at",
        "funds_reinstated_at",
    ]
    readonly_fields = fields


class EmailDeliveryInline(ReadOnlyInline):
    model = EmailDelivery
    fields = ["purpose", "recipient", "sent_at", "attempts", "last_error"]
    readonly_fields = fields
    verbose_name = "email"


class OrderHistoryInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["at", "kind", "message", "source"]
    readonly_fields = fields
    verbose_name = "history entry"
    verbose_name_plural = "History"


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "created",
        "paid",
        "status",
        "email",
        "products",
        "seats",
        "total",
        "refunded",
        "currency",
    ]
    list_display_links = ["reference"]
    list_filter = ["status", "paid_at", ("lines__product", admin.RelatedOnlyFieldListFilter), "currency"]
    search_fields = ["reference", "email", "=stripe_session_id", "=stripe_payment_intent_id"]
    search_help_text = (
        "Search by order reference, buyer email, or an exact Stripe session or payment intent id."
    )
    date_hierarchy = "paid_at"
    list_per_page = 50
    actions = ["sync_with_stripe"]
    inlines = [
        OrderLineInline,
        PaymentInline,
        RefundInline,
        DisputeInline,
        EmailDeliveryInline,
        OrderHistoryInline,
        StripeEventInline,
    ]
    fieldsets = [
        (None, {"fields": ["reference", "status", "needs_review", "review_reason"]}),
        ("Buyer", {"fields": ["email", "buyer_name"]}),
        ("Amounts", {"fields": ["currency", "subtotal", "discount", "tax", "total", "refunded"]}),
        ("Stripe", {"fields": ["stripe_session_id", "stripe_payment_intent_id"]}),
        ("Times (UTC)", {"fields": ["created_at", "paid_at", "confirmation_sent_at", "updated_at"]}),
    ]
    readonly_fields = [
        "reference",
        "status",
        "needs_review",
        "review_reason",
        "email",
        "buyer_name",
        "currency",
        "subtotal",
        "discount",
        "tax",
        "total",
        "refunded",
        "stripe_session_id",
        "stripe_payment_intent_id",
        "created_at",
        "paid_at",
        "confirmation_sent_at",
        "updated_at",
    ]

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(EXPORT_PERMISSION)

    @admin.action(description="Bring in line with Stripe (in the background)", permissions=["view"])
    def sync_with_stripe(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        from checkout import tasks

        count = 0
        for order_id in queryset.values_list("pk", flat=True):
            tasks.sync_order.enqueue(order_id, f"staff:{request.user.get_username()}")
            count += 1
        self.message_user(request, f"{count} order(s) queued to be brought in line with Stripe.")

    def get_queryset(self, request) -> QuerySet[Order]:
        seats = (
            OrderLine.objects.filter(order=OuterRef("pk"))
            .order_by()
            .values("order")
            .annotate(total=Sum("quantity"))
            .values("total")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(seat_count=Subquery(seats, output_field=IntegerField()))
            .prefetch_related("lines")
        )

    @admin.display(description="created (UTC)", ordering="created_at")
    def created(self, order: Order) -> str:
        return compact_time(order.created_at)

    @admin.display(description="paid (UTC)", ordering="paid_at")
    def paid(self, order: Order) -> str:
        return compact_time(order.paid_at)

    @admin.display(description="products")
    def products(self, order: Order) -> str:
        return format_html_join(
            ", ", "{} × {}", ((line.product_name, line.quantity) for line in order.lines.all())
        )

    @admin.display(description="seats", ordering="seat_count")
    def seats(self, order: Order) -> int:
        return order.seat_count or 0

    @admin.display(description="subtotal")
    def subtotal(self, order: Order) -> str:
        return format_money(order.subtotal_cents, order.currency)

    @admin.display(description="discount")
    def discount(self, order: Order) -> str:
        return format_money(order.discount_cents, order.currency)

    @admin.display(description="tax")
    def tax(self, order: Order) -> str:
        return format_money(order.tax_cents, order.currency)

    @admin.display(description="total", ordering="total_cents")
    def total(self, order: Order) -> str:
        return format_money(order.total_cents, order.currency)

    @admin.display(description="refunded", ordering="amount_refunded_cents")
    def refunded(self, order: Order) -> str:
        return format_money(order.amount_refunded_cents, order.currency)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_export": self.has_export_permission(request)}
        return super().changelist_view(request, extra_context)


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    """The webhook events Stripe sent us, as received: evidence, so nobody edits them."""

    list_display = ["event_id", "type", "order", "created", "received_at"]
    list_filter = ["type"]
    search_fields = ["=event_id", "order__reference", "type"]
    list_select_related = ["order"]
    fields = ["event_id", "type", "order", "created", "received_at", "payload_pretty"]
    readonly_fields = fields

    @admin.display(description="payload")
    def payload_pretty(self, event: StripeEvent) -> str:
        return format_html("<pre>{}</pre>", json.dumps(event.payload, indent=2, sort_keys=True))
