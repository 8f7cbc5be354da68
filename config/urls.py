from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.health import healthz

admin.site.site_header = "CPMA storefront"
admin.site.site_title = "CPMA admin"

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("catalog.urls")),
    path("", include("checkout.urls")),
]
