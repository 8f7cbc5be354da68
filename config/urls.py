from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from catalog.currency_switch import switch_currency
from catalog.views import robots_txt
from config.admin_redirects import moved_admin_pages
from config.health import healthz
from config.sitemaps import SITEMAPS

admin.site.site_header = "CPMA storefront"
admin.site.site_title = "CPMA admin"

urlpatterns = [
    path(f"{settings.ADMIN_URL}finance/", include("finance.urls")),
    moved_admin_pages(),  # old addresses of models that left checkout; before the admin, which has none there
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("catalog.urls")),
    path("", include("checkout.urls")),
    path("", include("payments.urls")),
    path("", include("invoicing.urls")),
    path("", include("corrections.urls")),
    path("", include("faq.urls")),
    path("", include("pages.urls")),
    path("", include("access.urls")),
    path("", include("learning.urls")),
    path("", include("teams.urls")),
    path("", include("recovery.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
    # A POST from the header of every page; outside the cached public namespaces.
    path("currency/", switch_currency, name="currency_switch"),
]
