from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("products/<slug:slug>/", views.product_detail, name="product"),
    path("film-tv-production/", views.production_overview, name="production"),
    path("film-tv-production/compare/", views.compare, name="compare"),
    path("film-tv-production/curriculum/", views.curriculum, name="curriculum"),
    path("film-tv-production/which-one-fits-me/", views.recommender, name="recommender"),
    path("film-tv-production/for/<slug:slug>/", views.role_page, name="role"),
]
