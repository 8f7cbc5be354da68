from django.urls import path

from checkout import views

app_name = "checkout"

# `start` and `success` come before `<slug>`: no product may use those two slugs.
urlpatterns = [
    path("checkout/start/", views.start, name="start"),
    path("checkout/success/", views.success, name="success"),
    path("checkout/<slug:slug>/", views.review, name="review"),
]
