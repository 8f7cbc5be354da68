from django.http import Http404
from django.shortcuts import render

from catalog.models import Product


def review(request, slug: str):
    """The order review step: seats and total, then the CSRF-protected POST that starts Stripe Checkout."""
    try:
        product = Product.objects.active().get(slug=slug)
    except Product.DoesNotExist:
        raise Http404("No product by that name is on sale.") from None
    return render(request, "checkout/review.html", {"product": product})
