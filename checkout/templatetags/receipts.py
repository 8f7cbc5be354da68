from django import template

from checkout import receipts
from checkout.models import OrderLine

register = template.Library()


@register.filter
def adjusted_line(line: OrderLine, currency: str) -> str:
    """`{{ line|adjusted_line:order.currency }}`: list price, the adjustment, the total (checkout.receipts)."""
    return receipts.adjusted_line(line, currency)
