"""The order list's own actions (other apps add theirs through ORDER_ADMIN_ACTIONS): each calls a service
and says what it queued or why it refused; the work runs in the background."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from checkout.models import Order
from payments import staff_refunds, tasks


@admin.action(description="Bring in line with Stripe (in the background)", permissions=["view"])
def sync_with_stripe(modeladmin, request: HttpRequest, queryset: QuerySet[Order]) -> None:
    count = 0
    for order_id in queryset.values_list("pk", flat=True):
        tasks.sync_order.enqueue(order_id, f"staff:{request.user.get_username()}")
        count += 1
    modeladmin.message_user(request, f"{count} order(s) queued to be brought in line with Stripe.")


@admin.action(description="Refund in full at Stripe (in the background)", permissions=["refund"])
def refund_in_full(modeladmin, request: HttpRequest, queryset: QuerySet[Order]) -> None:
    """Staff with `checkout.refund_order`: Stripe refunds what is left; the webhook does the rest."""
    queued = []
    for order_id in queryset.order_by("pk").values_list("pk", flat=True):
        try:
            order = staff_refunds.ask_full_refund(order_id=order_id, staff=request.user.get_username())
        except staff_refunds.NothingToRefund as exc:
            modeladmin.message_user(request, f"{exc} Nothing was asked of Stripe.", messages.WARNING)
        else:
            queued.append(order.reference)
    if queued:
        modeladmin.message_user(
            request,
            f"Full refund asked of Stripe for {', '.join(queued)}. The order's status, the buyer's refund "
            "receipt and the end of access follow when Stripe confirms it.",
            messages.SUCCESS,
        )
