"""Payment requests in the admin: read-only records, with two actions that call the services (void the
invoice at Stripe, then our records; re-send the request with a new link). Finance adds its receivables
CSV action through settings.PAYMENT_REQUEST_ADMIN_ACTIONS."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from catalog.money import format_money
from checkout.stripe_gateway import StripeError
from common.admin import ReadOnlyAdmin, extensions
from invoicing import cash, converge
from invoicing import requests as payment_requests
from invoicing.models import PaymentRequest

MANAGE = "invoicing.change_paymentrequest"
RAW_AMOUNTS = ("amount_due_cents", "cash_balance_cents")


@admin.register(PaymentRequest)
class PaymentRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "order",
        "state",
        "company_name",
        "po_number",
        "payer_email",
        "invoice_number",
        "amount_due",
        "due_at",
        "sent_at",
    ]
    list_filter = ["state", "invoice_status", "billing_country"]
    search_fields = [
        "order__reference",
        "company_name",
        "po_number",
        "=payer_email",
        "=buyer_email",
        "=stripe_invoice_id",
    ]
    list_select_related = ["order"]
    # Every field read-only, amounts shown as money instead of their raw cents.
    readonly_fields = [
        *(f.name for f in PaymentRequest._meta.fields if f.name not in ("token_hash", *RAW_AMOUNTS)),
        "amount_due",
        "cash_balance",
    ]
    exclude = ["token_hash", *RAW_AMOUNTS]
    actions = ["void_invoices", "resend_requests", "refund_unapplied_cash"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.actions = [*self.actions, *extensions("PAYMENT_REQUEST_ADMIN_ACTIONS")]

    @staticmethod
    def _money(payment_request: PaymentRequest, cents: int | None) -> str:
        currency = payment_request.currency or payment_request.order.currency
        return "-" if cents is None else format_money(cents, currency)

    @admin.display(description="amount due", ordering="amount_due_cents")
    def amount_due(self, payment_request: PaymentRequest) -> str:
        return self._money(payment_request, payment_request.amount_due_cents)

    @admin.display(description="cash balance")
    def cash_balance(self, payment_request: PaymentRequest) -> str:
        return self._money(payment_request, payment_request.cash_balance_cents)

    def has_manage_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MANAGE)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("checkout.export_orders")

    @admin.action(description="Void the invoice (at Stripe, then here)", permissions=["manage"])
    def void_invoices(self, request: HttpRequest, queryset: QuerySet[PaymentRequest]) -> None:
        for payment_request in queryset:
            try:
                converge.void_invoice(payment_request.pk, source=f"staff:{request.user.get_username()}")
            except converge.VoidRefused as refused:
                self.message_user(request, f"{payment_request.order}: {refused}", messages.ERROR)
            except StripeError as exc:
                self.message_user(
                    request,
                    f"{payment_request.order}: Stripe did not answer ({type(exc).__name__}).",
                    messages.ERROR,
                )
            else:
                self.message_user(request, f"{payment_request.order}: invoice voided.", messages.SUCCESS)

    @admin.action(description="Re-send the request to the payer (new link)", permissions=["manage"])
    def resend_requests(self, request: HttpRequest, queryset: QuerySet[PaymentRequest]) -> None:
        for payment_request in queryset:
            if payment_requests.resend(payment_request.pk, source=f"staff:{request.user.get_username()}"):
                self.message_user(request, f"{payment_request.order}: request sent again.", messages.SUCCESS)
            else:
                self.message_user(
                    request,
                    f"{payment_request.order}: not re-sent: the payer has already chosen, or the request ended.",
                    messages.WARNING,
                )

    @admin.action(description="Refund the unapplied cash to the payer", permissions=["manage"])
    def refund_unapplied_cash(self, request: HttpRequest, queryset: QuerySet[PaymentRequest]) -> None:
        for payment_request in queryset.select_related("order"):
            balance = payment_request.cash_balance_cents or 0
            if payment_request.is_open:
                self.message_user(
                    request,
                    f"{payment_request.order}: not refunded: the request is still open, so the cash may yet "
                    "pay its invoice.",
                    messages.ERROR,
                )
            elif balance <= 0:
                self.message_user(
                    request, f"{payment_request.order}: no unapplied cash is recorded.", messages.WARNING
                )
            else:
                cash.refund_request_cash.enqueue(payment_request.pk, request.user.get_username())
                self.message_user(
                    request,
                    f"{payment_request.order}: refund of the unapplied cash "
                    f"({format_money(balance, payment_request.currency or payment_request.order.currency)}) "
                    "requested from Stripe; the order's history shows it once Stripe has it.",
                    messages.SUCCESS,
                )
