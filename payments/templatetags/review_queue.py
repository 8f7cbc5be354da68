from django import template

from checkout.models import Order

register = template.Library()


@register.simple_tag
def flagged_orders(user) -> int | None:
    """How many orders wait for review, for staff who may see orders (None for everyone else)."""
    if not user.has_perm("checkout.view_order"):
        return None
    return Order.objects.filter(needs_review=True).count()
