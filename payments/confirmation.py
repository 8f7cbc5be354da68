"""The buyer's confirmation after money is received: a background task enqueued by payments.status with the
change of status. It fetches the invoice first, so the email carries its link when Stripe has made it."""

from checkout import emails
from common.tasks import retrying_task
from payments.invoices import refresh_invoice


@retrying_task
def send_order_confirmation(order_id: int) -> str:
    """The buyer's confirmation, with the invoice link when Stripe has made the invoice by now."""
    refresh_invoice(order_id)
    return emails.send_order_confirmation(order_id)
