"""Read-only building blocks of the order admin: money records and history are evidence, never edited."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from catalog.money import format_money, money_display
from checkout.models import EmailDelivery, OrderEvent, OrderLine
from common.admin import ReadOnlyInline
from payments.models import Dispute, Payment, Refund, StripeEvent


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
        url = reverse("admin:payments_stripeevent_change", args=[event.pk])
        return format_html('<a href="{}">{}</a>', url, event.event_id)


def exchange_rate(record: Payment | Refund) -> str:
    """Stripe's rate without trailing zeros ("1.25"), "-" when nothing was converted."""
    rate = record.exchange_rate
    return "-" if rate is None else format(rate.normalize(), "f")


exchange_rate.short_description = "exchange rate"


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = [
        "status",
        "amount",
        "currency",
        "paid_at",
        "settled",
        "rate",
        "fee",
        "net",
        "stripe_payment_intent_id",
        "stripe_charge_id",
    ]
    readonly_fields = fields
    amount = money_display("amount_cents", "amount")
    # What reached the Stripe balance; the fee and net are in that currency too (payments.settlement).
    settled = money_display("settlement_cents", "settled", "fee_currency")
    fee = money_display("fee_cents", "Stripe fee", "fee_currency")
    net = money_display("net_cents", "net", "fee_currency")
    rate = staticmethod(exchange_rate)


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = [
        "stripe_refund_id",
        "status",
        "amount",
        "currency",
        "tax_part",
        "settled",
        "rate",
        "reason",
        "created",
    ]
    readonly_fields = fields
    amount = money_display("amount_cents", "amount")
    tax_part = money_display("tax_cents", "tax part")
    settled = money_display("settlement_cents", "settled", "settlement_currency")
    rate = staticmethod(exchange_rate)


class DisputeInline(ReadOnlyInline):
    model = Dispute
    fields = [
        "stripe_dispute_id",
        "status",
        "amount",
        "currency",
        "reason",
        "created",
        "funds_withdrawn_at",
        "funds_reinstated_at",
    ]
    readonly_fields = fields
    amount = money_display("amount_cents", "amount")


class EmailDeliveryInline(ReadOnlyInline):
    model = EmailDelivery
    fields = ["purpose", "recipient", "state", "sent_at", "attempts", "last_error"]
    readonly_fields = fields
    verbose_name = "email"

    @admin.display(description="State")
    def state(self, delivery: EmailDelivery) -> str:
        # "Sent, not confirmed" (docs/payments.md "Background work"): it may have gone out, and may go out once more.
        return delivery.state()


class OrderHistoryInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["at", "kind", "message", "source"]
    readonly_fields = fields
    verbose_name = "history entry"
    verbose_name_plural = "History"
