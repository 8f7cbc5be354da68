"""The buyer's confirmation after money is received: a background task enqueued by payments.status with the
change of status. It fetches the invoice first, so the email carries its link when Stripe has made it.

A reverse-charged sale whose VAT number the registry is still checking (payments.tax_ids, enqueued with the
payment) waits a little for the answer, so the receipt can say "Reverse charge" with the number: the task
is retried while the check is open, for at most VAT_CHECK_WAIT after payment; after that it goes out saying
the number is being checked."""

import datetime as dt

from django.utils import timezone

from checkout import emails
from checkout.models import Order
from checkout.reverse_charge import CHECKING
from common.tasks import MAIL_QUEUE, retrying_task
from payments.invoices import refresh_invoice

VAT_CHECK_WAIT = dt.timedelta(minutes=2)


class WaitingForVatCheck(Exception):
    """The registry has not answered about the order's VAT number yet: the retry sends the email."""


def waits_for_vat_check(order: Order) -> bool:
    paid_at = order.paid_at or order.created_at
    return order.reverse_charge == CHECKING and timezone.now() - paid_at < VAT_CHECK_WAIT


@retrying_task(queue=MAIL_QUEUE)
def send_order_confirmation(order_id: int) -> str:
    """The buyer's confirmation, with the invoice link when Stripe has made the invoice by now."""
    order = Order.objects.get(pk=order_id)
    if order.confirmation_sent_at is None and waits_for_vat_check(order):
        raise WaitingForVatCheck(f"{order.reference}: VAT number still being checked")
    refresh_invoice(order_id)
    return emails.send_order_confirmation(order_id)
