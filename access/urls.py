from django.urls import path

from access import views

app_name = "access"

urlpatterns = [
    path("purchases/", views.purchases, name="purchases"),
    path("purchases/sign-in/<str:token>/", views.sign_in, name="sign_in"),
    path("purchases/open/<str:token>/", views.open_link, name="open_link"),
    path("purchases/sign-out/", views.sign_out, name="sign_out"),
    path("purchases/complete-bundle/", views.complete_bundle, name="complete_bundle"),
    path("access/download/<str:token>/", views.download, name="download"),
]
