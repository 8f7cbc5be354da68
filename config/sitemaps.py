"""/sitemap.xml: every public page, with absolute addresses built from SITE_URL."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from catalog.models import Product
from catalog.roles import ROLE_PAGES
from pages.models import Page


class SiteUrlSitemap(Sitemap):
    """Addresses on SITE_URL's scheme and host rather than whatever host the request came in on."""

    def get_protocol(self, protocol=None) -> str:
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class PageSitemap(SiteUrlSitemap):
    names = [
        "catalog:home",
        "catalog:production",
        "catalog:compare",
        "catalog:curriculum",
        "catalog:recommender",
        "faq:list",
    ]

    def items(self) -> list[str]:
        return self.names + [page.get_absolute_url() for page in ROLE_PAGES]

    def location(self, item: str) -> str:
        return item if item.startswith("/") else reverse(item)


class ProductSitemap(SiteUrlSitemap):
    def items(self):
        return Product.objects.active().order_by("position", "name")

    def lastmod(self, product: Product):
        return product.updated_at


class SitePageSitemap(SiteUrlSitemap):
    """Terms, privacy, refunds, contact and the expensing page: whichever exist, with their last edit."""

    def items(self):
        return Page.objects.order_by("slug")

    def lastmod(self, page: Page):
        return page.updated_at


SITEMAPS = {"pages": PageSitemap, "products": ProductSitemap, "site-pages": SitePageSitemap}
