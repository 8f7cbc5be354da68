"""What other apps read about an order's payment requests."""

from checkout.models import Order
from invoicing.models import PaymentRequest


def has_payment_request(order: Order) -> bool:
    """Whether the buyer asked someone else to pay this order (the buyer then stays the order's email)."""
    return PaymentRequest.objects.filter(order=order).exists()


def has_open_payment_request(order: Order) -> bool:
    return PaymentRequest.objects.filter(order=order, state__in=PaymentRequest.OPEN).exists()


def access_on_invoice(order: Order) -> bool:
    """Whether the order's access rests on an issued, unpaid invoice (INVOICE_ACCESS_ON_ISSUE): access
    reads this beside the order's money."""
    return PaymentRequest.objects.filter(
        order=order, state=PaymentRequest.State.ISSUED, access_on_issue=True
    ).exists()
