from django.urls import path

from recovery import views

app_name = "recovery"

urlpatterns = [
    path("order-reminder/<str:key>/", views.way_back_page, name="way_back"),
    path("order-reminder/unsubscribe/<str:key>/", views.unsubscribe, name="unsubscribe"),
]
