from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from catalog import seo
from catalog.currency import visitor_currency
from catalog.selectors import products_by_slug
from pages.models import PAGE_ADDRESSES, Page
from pages.render import needs_products, render_body


@require_safe
def page(request, slug: str):
    page = get_object_or_404(Page, slug=slug)
    products = products_by_slug(visitor_currency(request)) if needs_products(page.body) else {}
    context = seo.page_context(f"{page.title} · CPMA", page.description, trail=[(page.title, request.path)])
    context.update(
        page=page,
        body=render_body(page.body, products),
        contact_email=settings.SITE_CONTACT_EMAIL,
        related=[
            (label, reverse(f"pages:{other}")) for other, _address, label in PAGE_ADDRESSES if other != slug
        ],
    )
    return render(request, "pages/page.html", context)
