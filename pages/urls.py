from django.urls import path

from pages import views
from pages.models import PAGE_ADDRESSES

app_name = "pages"

urlpatterns = [
    path(address, views.page, {"slug": slug}, name=slug) for slug, address, _label in PAGE_ADDRESSES
]
