"""Order admin: read-only orders with their payments, refunds, disputes, emails and history.

Orders are written by checkout and Stripe only; their admin lives here, beside the money records it shows.
Staff can look (the `view_order` permission is enough), never add, edit or delete; staff with
`checkout.refund_order` may ask Stripe to refund an order in full (payments.staff_refunds). The finance app adds its export action and pages (finance/admin.py).
"""

import datetime as dt
import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from catalog.money import format_money
from checkout.models import Order, OrderLine
from common.admin import ReadOnlyAdmin, extensions
from payments import admin_actions, review, staff_refunds
from payments.admin_inlines import (
    DisputeInline,
    EmailDeliveryInline,
    OrderHistoryInline,
    OrderLineInline,
    PaymentInline,
    RefundInline,
    StripeEventInline,
)
from payments.models import ReconcileRun, StripeEvent

EXPORT_PERMISSION = "checkout.export_orders"


class ResolveForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=2000,
        help_text="What was checked and what was done (kept in the order's history).",
    )


def compact_time(moment: dt.datetime | None) -> str:
    """`2026-01-05 09:30` in UTC: short enough for a list column, unambiguous for finance."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") if moment else "-"


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    # Fits 1280 px beside admin's navigation and the filters: the money columns stay in view. Totals carry
    # their currency (format_money); the creation time is on the order's page.
    list_display = [
        "reference",
        "review",
        "paid",
        "status",
        "total",
        "refunded",
        "seats",
        "email",
        "products",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Other apps' actions on the order list (finance's CSV export), named in ORDER_ADMIN_ACTIONS.
        self.actions = [*self.actions, *extensions("ORDER_ADMIN_ACTIONS")]

    list_display_links = ["reference"]
    list_filter = [
        ("needs_review", admin.BooleanFieldListFilter),
        "status",
        "paid_at",
        ("lines__product", admin.RelatedOnlyFieldListFilter),
        "currency",
    ]
    search_fields = ["reference", "email", "buyer_name", "=stripe_session_id", "=stripe_payment_intent_id"]
    search_help_text = (
        "Search by order reference, buyer email or name, or an exact Stripe session or payment intent id."
    )
    date_hierarchy = "paid_at"
    list_per_page = 50
    actions = [admin_actions.sync_with_stripe, admin_actions.refund_in_full]
    inlines = [
        OrderLineInline,
        PaymentInline,
        RefundInline,
        DisputeInline,
        EmailDeliveryInline,
        OrderHistoryInline,
        StripeEventInline,
    ]

    def get_inlines(self, request, obj=None):
        # Other apps' parts of an order's page (teams adds its seats): ORDER_ADMIN_INLINES.
        return [*self.inlines, *extensions("ORDER_ADMIN_INLINES")]

    fieldsets = [
        (None, {"fields": ["reference", "status", "review_state", "review_reason"]}),
        ("Buyer", {"fields": ["email", "buyer_name", "adds_seats_to"]}),
        ("Amounts", {"fields": ["currency", "subtotal", "discount", "tax", "total", "refunded"]}),
        (
            "Invoice",
            {
                "fields": [
                    "invoice_link",
                    "company_name",
                    "tax_ids",
                    "billing_country",
                    "po_number",
                ]
            },
        ),
        ("Stripe", {"fields": ["stripe_session_id", "stripe_payment_intent_id"]}),
        ("Times (UTC)", {"fields": ["created_at", "paid_at", "confirmation_sent_at", "updated_at"]}),
    ]
    readonly_fields = [
        "reference",
        "adds_seats_to",
        "status",
        "review_state",
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
        "invoice_link",
        "company_name",
        "tax_ids",
        "billing_country",
        "po_number",
        "created_at",
        "paid_at",
        "confirmation_sent_at",
        "updated_at",
    ]

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(EXPORT_PERMISSION)

    def has_refund_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(staff_refunds.PERMISSION)

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

    @admin.display(description="review", ordering="-needs_review")
    def review(self, order: Order) -> str:
        return (
            format_html('<strong class="flagged">{}</strong>', "Needs review") if order.needs_review else ""
        )

    @admin.display(description="review")
    def review_state(self, order: Order) -> str:
        if not order.needs_review:
            return "Nothing to check"
        url = reverse("admin:checkout_order_resolve", args=[order.pk])
        return format_html(
            '<strong class="flagged">Needs review</strong> · <a href="{}">Resolve with a note</a>', url
        )

    def get_urls(self):
        resolve = path(
            "<int:order_id>/resolve/",
            self.admin_site.admin_view(self.resolve_view),
            name="checkout_order_resolve",
        )
        return [resolve, *super().get_urls()]

    def resolve_view(self, request: HttpRequest, order_id: int) -> HttpResponse:
        """Clear a review flag with a note kept in the order's history (staff who may view orders)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        order = get_object_or_404(Order, pk=order_id)
        form = ResolveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                review.resolve(
                    order_id=order.pk, note=form.cleaned_data["note"], staff=request.user.get_username()
                )
            except review.NothingToResolve as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                self.message_user(
                    request, f"Review of {order.reference} resolved; the note is in its history."
                )
            return redirect("admin:checkout_order_change", order.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "order": order,
            "form": form,
            "title": f"Resolve the review of {order.reference}",
        }
        return TemplateResponse(request, "admin/checkout/order/resolve.html", context)

    @admin.display(description="invoice")
    def invoice_link(self, order: Order) -> str:
        if not order.invoice_pdf_url:
            return order.invoice_id or "No invoice yet"
        return format_html(
            '<a href="{}">{} (PDF)</a>', order.invoice_pdf_url, order.invoice_number or order.invoice_id
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


@admin.register(ReconcileRun)
class ReconcileRunAdmin(ReadOnlyAdmin):
    """Each pass of `reconcile_stripe`: an unfinished one is running, or failed (its output says why)."""

    list_display = ["started_at", "mode", "listed_from", "finished_at", "changes"]
    list_filter = ["mode"]
