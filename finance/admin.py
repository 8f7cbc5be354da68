"""Finance's part of the admin: the order list's CSV action, and payouts (read-only).

The finance pages themselves (dashboard, exports, payouts) are plain views in finance/views.py.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse

from catalog.money import money_display
from checkout.models import Order
from common.admin import ReadOnlyAdmin, ReadOnlyInline
from finance import receivables
from finance.export import ExportFilter
from finance.views import csv_download, orders_csv
from invoicing.models import PaymentRequest
from payments.models import Payout, PayoutLine


@admin.action(description="Export selected orders to CSV", permissions=["export"])
def export_selected(modeladmin, request: HttpRequest, queryset: QuerySet[Order]) -> StreamingHttpResponse:
    return orders_csv(ExportFilter(orders=queryset))


@admin.action(description="Export the selected open invoices (receivables) to CSV", permissions=["export"])
def export_receivables(
    modeladmin, request: HttpRequest, queryset: QuerySet[PaymentRequest]
) -> StreamingHttpResponse:
    chosen = queryset.values("pk")
    return csv_download(
        receivables.csv_stream(
            receivables.open_invoices().filter(pk__in=chosen),
            cash=receivables.unapplied_cash().filter(pk__in=chosen),
        ),
        receivables.filename(),
    )


class PayoutLineInline(ReadOnlyInline):
    model = PayoutLine
    fields = [
        "created",
        "type",
        "source_id",
        "amount",
        "fee",
        "net",
        "stripe_balance_transaction_id",
    ]
    readonly_fields = fields
    amount = money_display("amount_cents", "amount")
    fee = money_display("fee_cents", "fee")
    net = money_display("net_cents", "net")


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["stripe_payout_id", "status", "amount", "currency", "arrival_date", "created"]
    list_filter = ["status", "currency"]
    search_fields = ["=stripe_payout_id", "=lines__stripe_balance_transaction_id", "=lines__source_id"]
    inlines = [PayoutLineInline]
    fields = [
        "stripe_payout_id",
        "status",
        "amount",
        "currency",
        "arrival_date",
        "created",
        "lines_fetched_at",
    ]
    readonly_fields = fields
    amount = money_display("amount_cents", "amount")
