from django.http import Http404
from django.shortcuts import render

from catalog.models import Product
from catalog.selectors import listed_products, product_for_page


def home(request):
    return render(request, "catalog/home.html", {"products": listed_products()})


def product_detail(request, slug: str):
    try:
        product = product_for_page(slug)
    except Product.DoesNotExist:
        raise Http404("No product by that name is on sale.") from None
    return render(request, "catalog/product_detail.html", {"product": product})
