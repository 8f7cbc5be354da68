from django.urls import path

from checkout import views

app_name = "checkout"

urlpatterns = [
    path("checkout/<slug:slug>/", views.review, name="review"),
]
