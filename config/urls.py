from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "CPMA storefront"
admin.site.site_title = "CPMA admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("catalog.urls")),
    path("", include("checkout.urls")),
]
